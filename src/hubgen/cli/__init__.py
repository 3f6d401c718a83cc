"""The command line: flags in, report out, exit code. No logic of its own lives here.

- `app`: the `hubgen` group, shared options, failure handling and the exit codes;
- `site`: build, check, serve and graph;
- `edit`: new, add, move, remove and rename.
"""

from hubgen.cli import edit, site  # noqa: F401  (importing them registers their commands)
from hubgen.cli.app import main

__all__ = ["main"]
