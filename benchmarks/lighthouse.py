"""Lighthouse on the shipped example, as a phone sees it: builds the example hub, serves it under its base
path (/ai-hub/) on a loopback port, and audits the home, a hub and an article page with Lighthouse's mobile
settings (its default: a throttled mid-range phone) in Debian's Chromium. Prints one row per page.

    npm install --prefix /tmp/lh lighthouse@12.2.3     # once; Lighthouse 12.2.3 runs on Node 20
    CHROME_PATH=/usr/bin/chromium python benchmarks/lighthouse.py --lighthouse /tmp/lh/node_modules/.bin/lighthouse

Not a test: scores move with the machine's load, so they are a measurement to read, kept in the README.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from search_latency import served

from hubgen import session

REPO = Path(__file__).resolve().parents[1]
PAGES = {
    "home": "",
    "hub": "neural-networks/",
    "article": "neural-networks/how-neural-networks-work/",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def audit(lighthouse: list[str], url: str, out: Path) -> tuple[dict[str, int], list[str]]:
    """One Lighthouse run: each category's score out of 100, and the audits that failed outside performance."""
    command = [
        *lighthouse,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    subprocess.run(command, check=True)
    report = json.loads(out.read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    failed = [
        ref["id"]
        for name in CATEGORIES[1:]
        for ref in report["categories"][name]["auditRefs"]
        if ref["weight"] and (report["audits"][ref["id"]]["score"] or 0) < 1
    ]
    return scores, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lighthouse", default="", help="the lighthouse executable (default: npx lighthouse@12.2.3)")
    args = parser.parse_args()
    lighthouse = [args.lighthouse] if args.lighthouse else ["npx", "--yes", "lighthouse@12.2.3"]
    if not os.environ.get("CHROME_PATH"):
        os.environ["CHROME_PATH"] = shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        shutil.copytree(REPO / "content", root / "project" / "content")
        shutil.copy(REPO / "hubgen.yaml", root / "project" / "hubgen.yaml")
        result = session.build(root / "project", output_dir=root / "www" / "ai-hub")
        if result.check.errors:
            print("the example does not build", file=sys.stderr)
            return 1
        print(f"Lighthouse (mobile) on the example hub, Chromium at {os.environ['CHROME_PATH']}")
        print(f"| page | {' | '.join(CATEGORIES)} |")
        print(f"|---|{'---:|' * len(CATEGORIES)}")
        problems: list[str] = []
        with served(root / "www") as url:
            for name, path in PAGES.items():
                scores, failed = audit(lighthouse, url + "ai-hub/" + path, root / f"{name}.json")
                print(f"| {name} | {' | '.join(str(scores[c]) for c in CATEGORIES)} |", flush=True)
                problems += [f"{name}: {audit_id}" for audit_id in failed]
    for problem in problems:
        print("failed audit:", problem)
    return 0


if __name__ == "__main__":
    sys.exit(main())
