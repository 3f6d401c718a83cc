/* hubgen theme: theme toggle and keyboard navigation along the learning path. */
(function () {
  "use strict";
  var KEY = "hubgen-theme";
  var root = document.documentElement;
  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function theme() {
    var t = root.getAttribute("data-theme");
    if (t === "light" || t === "dark") return t;
    return dark && dark.matches ? "dark" : "light";
  }

  function setUp() {
    var btn = document.querySelector("[data-theme-toggle]");
    if (btn) {
      var sync = function () {
        btn.setAttribute("aria-checked", theme() === "dark" ? "true" : "false");
        followTheme();
      };
      btn.addEventListener("click", function () {
        var next = theme() === "dark" ? "light" : "dark";
        root.setAttribute("data-theme", next);
        try { localStorage.setItem(KEY, next); } catch (e) { /* storage blocked */ }
        sync();
      });
      if (dark && dark.addEventListener) dark.addEventListener("change", sync);
      sync();
      btn.hidden = false;
    }
    followTheme();
    setUpCodeCopy();
    setUpSearch();
    setUpProgress();
    var hints = document.querySelectorAll("[data-kbd-hint]");
    for (var i = 0; i < hints.length; i++) hints[i].hidden = false;
  }

  // A <picture>'s sources chosen by prefers-color-scheme follow the system setting, which the toggle does
  // not change: while the toggle has chosen a scheme (data-theme), each such source's query is rewritten
  // to that choice (its own kept in data-hg-media), and restored when the choice is the system's again.
  function followTheme() {
    var chosen = root.getAttribute("data-theme");
    var sources = document.querySelectorAll("picture > source[media]");
    for (var i = 0; i < sources.length && i < 1000; i++) {
      var source = sources[i];
      var own = source.getAttribute("data-hg-media");
      if (own === null) {
        own = source.getAttribute("media") || "";
        if (!/prefers-color-scheme/i.test(own)) continue;
        source.setAttribute("data-hg-media", own);
      }
      var media = own;
      if (chosen === "light" || chosen === "dark") {
        media = own.replace(/\(\s*prefers-color-scheme\s*:\s*(light|dark)\s*\)/gi, function (all, scheme) {
          return scheme.toLowerCase() === chosen ? "(width >= 0px)" : "(width < 0px)";
        });
      }
      if (source.getAttribute("media") !== media) source.setAttribute("media", media);
    }
  }

  // A copy button on each code block, added here so that none shows without JavaScript: a real button
  // named "Copy code", first in the block's tab order; "Copied" is said through a polite live region. The
  // code's text is copied without its line numbers or filename. Without the Clipboard API (a page served
  // over http:// from another machine) a hidden textarea and execCommand try; failing that too, the code
  // is selected for the reader to copy with the keyboard.
  function setUpCodeCopy() {
    var blocks = document.querySelectorAll(".highlight");
    if (!blocks.length) return;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("data-copy-status", "");
    (document.querySelector("main") || document.body).appendChild(status);  // inside a landmark
    var timer = 0;
    function say(text) {
      status.textContent = "";
      clearTimeout(timer);
      timer = setTimeout(function () { status.textContent = text; }, 60);  // said again on a second click
    }
    function textOf(code) {
      var copy = code.cloneNode(true);
      var numbers = copy.querySelectorAll(".linenos");
      for (var i = 0; i < numbers.length; i++) numbers[i].remove();
      return copy.textContent.replace(/\n$/, "");
    }
    function byTextarea(text, button) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.top = "-100vh";
      document.body.appendChild(area);
      area.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      area.remove();
      button.focus();
      return done;
    }
    function copied(button) {
      button.classList.add("is-copied");
      setTimeout(function () { button.classList.remove("is-copied"); }, 2000);
      say("Copied");
    }
    function fallback(code, button) {
      if (byTextarea(textOf(code), button)) { copied(button); return; }
      var range = document.createRange();
      range.selectNodeContents(code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      say("Code selected: copy it with Control+C or Command+C");
    }
    Array.prototype.forEach.call(blocks, function (block) {
      var code = block.querySelector("pre code") || block.querySelector("pre");
      if (!code || block.querySelector(".code-copy")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "code-copy";
      button.setAttribute("aria-label", "Copy code");
      button.textContent = "Copy";
      button.addEventListener("click", function () {
        var text = textOf(code);
        if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { copied(button); }, function () { fallback(code, button); });
        } else {
          fallback(code, button);
        }
      });
      block.insertBefore(button, block.firstChild);
    });
  }

  function typing(el) {
    if (!el || el.nodeType !== 1) return false;
    if (el.isContentEditable) return true;
    return /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  }

  // A focused element that scrolls sideways (a long code block or table) keeps its arrow keys.
  function scrollsSideways(el) {
    return el && el.nodeType === 1 && el !== document.body && el !== root &&
      el.scrollWidth > el.clientWidth;
  }

  // Reading progress on a learning path: which steps this reader has opened, kept in localStorage
  // under the path's first step, never sent anywhere. A long path's page lists only some of its steps
  // (the first always) and says how many there are (data-path-length): the pages read that it does not
  // list count too, as every page stored under this path's key is one of its steps.
  function setUpProgress() {
    var list = document.querySelector("[data-path-steps]");
    var box = document.querySelector("[data-progress]");
    if (!list || !box) return;
    var links = list.querySelectorAll("li a, li [aria-current]");
    var steps = [];
    for (var i = 0; i < links.length; i++) {
      steps.push(links[i].href ? new URL(links[i].href).pathname : window.location.pathname);
    }
    if (!steps.length) return;
    var key = "hubgen-progress:" + steps[0];
    var read;
    try { read = JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return; }
    if (read.indexOf(window.location.pathname) < 0) read.push(window.location.pathname);
    var total = parseInt(list.getAttribute("data-path-length"), 10) || steps.length;
    function paint() {
      var count = 0;
      for (var j = 0; j < steps.length; j++) {
        var done = read.indexOf(steps[j]) >= 0;
        links[j].closest("li").classList.toggle("is-read", done);
        if (done) count++;
      }
      if (total > steps.length) {
        for (var k = 0; k < read.length; k++) if (steps.indexOf(read[k]) < 0) count++;
        count = Math.min(count, total);
      }
      box.querySelector("[data-progress-text]").textContent = "You have read " + count + " of " + total;
      try { localStorage.setItem(key, JSON.stringify(read)); } catch (e) { /* storage blocked */ }
    }
    box.querySelector("[data-progress-reset]").addEventListener("click", function () {
      read = [window.location.pathname];
      paint();
    });
    paint();
    box.hidden = false;
  }

  // Search: Pagefind's index, loaded on first use; results built as DOM nodes (no HTML from the index
  // is trusted except <mark> around matches).
  function setUpSearch() {
    var box = document.querySelector("[data-search]");
    if (!box) return;
    var input = box.querySelector("input");
    var out = box.querySelector(".search-results");
    var base = new URL(box.getAttribute("data-root") || "./", window.location.href);
    var engine = null;
    var timer = 0;
    var turn = 0;
    box.hidden = false;
    // A large site's index comes in parts (pagefind/hubgen-parts.json lists them beside the first one).
    function parts() {
      return fetch(new URL("pagefind/hubgen-parts.json", base).href).then(function (r) {
        return r.ok ? r.json() : { parts: [] };
      }).then(function (list) { return list.parts || []; }, function () { return []; });
    }
    function load() {
      if (!engine) {
        engine = import(new URL("pagefind/pagefind.js", base).href).then(function (pf) {
          return Promise.resolve(pf.options({ baseUrl: base.pathname })).then(parts).then(function (more) {
            return Promise.all(more.map(function (part) {
              return pf.mergeIndex(new URL("pagefind/" + part, base).href, { baseUrl: base.pathname });
            }));
          }).then(function () { return pf; });
        });
      }
      return engine;
    }
    function el(tag, cls, text) {
      var node = document.createElement(tag);
      if (cls) node.className = cls;
      if (text) node.textContent = text;
      return node;
    }
    function excerpt(html) {
      var p = el("p", "search-excerpt");
      var doc = new DOMParser().parseFromString(html || "", "text/html");
      doc.body.childNodes.forEach(function (n) {
        p.appendChild(n.nodeName === "MARK" ? el("mark", "", n.textContent) : document.createTextNode(n.textContent));
      });
      return p;
    }
    function show(items) {
      out.replaceChildren();
      if (!items.length) { out.appendChild(el("p", "search-empty", "No results")); return; }
      var list = el("ol", "search-list");
      items.forEach(function (d) {
        var item = el("li");
        var link = el("a", "search-title", (d.meta && d.meta.title) || d.url);
        link.href = d.url;
        item.appendChild(link);
        if (d.meta && d.meta.hub) item.appendChild(el("span", "search-hub", d.meta.hub));
        item.appendChild(excerpt(d.excerpt));
        list.appendChild(item);
      });
      out.appendChild(list);
    }
    function run() {
      var query = input.value.trim();
      var mine = ++turn;
      if (!query) { out.replaceChildren(); return; }
      load().then(function (pf) { return pf.search(query); }).then(function (found) {
        return Promise.all(found.results.slice(0, 8).map(function (r) { return r.data(); }));
      }).then(function (items) {
        if (mine === turn) show(items);
      }).catch(function () {
        if (mine === turn) { out.replaceChildren(el("p", "search-empty", "Search is not available here.")); }
      });
    }
    input.addEventListener("focus", load);
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; out.replaceChildren(); input.blur(); }
    });
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.altKey || e.metaKey) return;
    var t = e.target;
    if (typing(t)) return;
    var search = document.getElementById("hg-search-input");
    if (e.key === "/" && search && !search.closest("[hidden]")) {
      e.preventDefault();
      search.focus();
      return;
    }
    if (e.shiftKey) return;
    var rel = null;
    var arrow = e.key === "ArrowLeft" || e.key === "ArrowRight";
    if (e.key === "ArrowLeft" || e.key === "p") rel = "prev";
    else if (e.key === "ArrowRight" || e.key === "n") rel = "next";
    if (!rel || (arrow && scrollsSideways(t))) return;
    var link = document.querySelector('link[rel="' + rel + '"][href]');
    if (!link) return;
    e.preventDefault();
    window.location.href = link.href;
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
