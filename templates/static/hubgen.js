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

  // Reading progress, kept in this browser's localStorage only and never sent anywhere: for each path, the
  // pages of it this reader has opened, under "hubgen-progress:" + the path's key (the site path of its
  // first step; a track's own page). An article records itself on every path it lists as its own
  // ([data-progress-list] holding its aria-current step), so a page read counts on each path it is on.
  // Then every mark is painted from the same records: the lists' read steps, "You have read N of M",
  // the rail's "N read", the hub page's "Continue", the home page's "N of M read"; Reset empties a path.
  var PROGRESS = "hubgen-progress:";
  var MOST = 5000; // pages kept per path: a bound on what a page can make this script store

  function sitePath(url) {
    try { return new URL(url, window.location.href).pathname; } catch (e) { return ""; }
  }

  function readOn(key) {
    var found;
    try { found = JSON.parse(localStorage.getItem(PROGRESS + key) || "[]"); } catch (e) { return []; }
    return Array.isArray(found) ? found.filter(function (x) { return typeof x === "string"; }) : [];
  }

  function keep(key, pages) {
    try { localStorage.setItem(PROGRESS + key, JSON.stringify(pages.slice(-MOST))); } catch (e) { /* storage blocked */ }
  }

  function each(selector, fn) {
    var found = document.querySelectorAll(selector);
    for (var i = 0; i < found.length; i++) fn(found[i]);
  }

  function stepUrl(item) {
    var link = item.querySelector("a[href]");
    if (link) return sitePath(link.href);
    return item.querySelector("[aria-current=step]") ? window.location.pathname : "";
  }

  function countOf(key, total) {
    return Math.min(readOn(key).length, total || Infinity);
  }

  function paintProgress() {
    each("[data-progress-list]", function (list) {
      var read = readOn(sitePath(list.getAttribute("data-progress-list")));
      var next = null;
      var items = list.querySelectorAll("li");
      for (var i = 0; i < items.length; i++) {
        var url = stepUrl(items[i]);
        var done = url !== "" && read.indexOf(url) >= 0;
        items[i].classList.toggle("is-read", done);
        items[i].classList.remove("is-next");
        var state = items[i].querySelector("[data-step-state]");
        if (state) state.textContent = done ? " (read)" : "";
        if (!done && !next && url) next = items[i];
      }
      if (next && read.length) next.classList.add("is-next");
      list.hubgenNext = read.length ? next : null;
    });
    each("[data-progress]", function (box) {
      var key = sitePath(box.getAttribute("data-progress"));
      var total = parseInt(box.getAttribute("data-progress-total"), 10) || 0;
      var count = countOf(key, total);
      box.querySelector("[data-progress-text]").textContent = "You have read " + count + " of " + total;
      box.querySelector("[data-progress-reset]").hidden = count === 0;
      var more = box.querySelector("[data-progress-continue]");
      if (more) {
        var list = null;
        each("[data-progress-list]", function (l) { if (!list && sitePath(l.getAttribute("data-progress-list")) === key) list = l; });
        var step = list && list.hubgenNext;
        more.hidden = !step;
        if (step) {
          var link = step.querySelector("a[href]");
          var target = more.querySelector("[data-progress-next]");
          target.href = link.href;
          target.textContent = "step " + (Array.prototype.indexOf.call(list.children, step) + 1) + " — " + link.textContent;
        }
      }
      box.hidden = false;
    });
    each("[data-progress-short]", function (el) {
      var total = parseInt(el.getAttribute("data-progress-total"), 10) || 0;
      el.textContent = " · " + countOf(sitePath(el.getAttribute("data-progress-short")), total) + " read";
    });
    each("[data-progress-of]", function (el) {
      var keys = el.getAttribute("data-progress-of").split(" ");
      var total = parseInt(el.getAttribute("data-progress-total"), 10) || 0;
      var count = 0;
      for (var i = 0; i < keys.length; i++) if (keys[i]) count += readOn(sitePath(keys[i])).length;
      el.textContent = " · " + Math.min(count, total) + " of " + total + " read";
    });
    each("[data-progress-legend]", function (el) { el.hidden = false; });
  }

  function setUpProgress() {
    if (!document.querySelector("[data-progress], [data-progress-of], [data-progress-list]")) return;
    var here = window.location.pathname;
    if (document.body.classList.contains("kind-article")) {
      var recorded = {};
      each("[data-progress-list]", function (list) {
        var key = sitePath(list.getAttribute("data-progress-list"));
        if (recorded[key] || !list.querySelector("[aria-current=step]")) return;
        recorded[key] = true;
        var read = readOn(key);
        if (read.indexOf(here) < 0) { read.push(here); keep(key, read); }
      });
    }
    document.addEventListener("click", function (e) {
      var button = e.target.closest && e.target.closest("[data-progress-reset]");
      if (!button) return;
      keep(sitePath(button.closest("[data-progress]").getAttribute("data-progress")), []);
      paintProgress();
    });
    window.addEventListener("storage", function (e) {
      if (e.key && e.key.indexOf(PROGRESS) === 0) paintProgress();
    });
    window.addEventListener("pageshow", function (e) { if (e.persisted) paintProgress(); });
    paintProgress();
  }

  // Search: Pagefind's index, loaded on first use; results built as DOM nodes (no HTML from the index
  // is trusted except <mark> around matches). Arrow keys move through the results (focus moves to each
  // link, so Enter opens it as any link does), Escape closes them. Under `hubgen serve` the index may
  // still be building (pagefind/hubgen-parts.json says so) or be rebuilt after an edit: serve's
  // live-reload script then fires "hubgen:search-index" and the search starts again on the new one.
  function setUpSearch() {
    var box = document.querySelector("[data-search]");
    if (!box) return;
    var input = box.querySelector("input");
    var out = box.querySelector(".search-results");
    var count = out.querySelector(".search-count");
    var list = out.querySelector(".search-list");
    var base = new URL(box.getAttribute("data-root") || "./", window.location.href);
    var SHOWN = 8;
    var engine = null;
    var timer = 0;
    var turn = 0;
    box.hidden = false;
    function Building() {}
    // A large site's index comes in parts (pagefind/hubgen-parts.json lists them beside the first one).
    function parts() {
      return fetch(new URL("pagefind/hubgen-parts.json", base).href, { cache: "no-cache" }).then(function (r) {
        return r.ok ? r.json() : { parts: [] };
      }, function () { return { parts: [] }; });
    }
    function open(pf, more) {
      return Promise.resolve(pf.options({ baseUrl: base.pathname })).then(function () {
        return Promise.all(more.map(function (part) {
          return pf.mergeIndex(new URL("pagefind/" + part, base).href, { baseUrl: base.pathname });
        }));
      }).then(function () { return pf; });
    }
    var retired = Promise.resolve();  // the engine a new index replaced, until it is let go
    function load() {
      if (!engine) {
        var mine = engine = retired.then(parts).then(function (listing) {
          if (listing.building) throw new Building();
          if (listing.error) throw new Error(listing.error);
          return import(new URL("pagefind/pagefind.js", base).href).then(function (pf) {
            return open(pf, listing.parts || []);
          });
        });
        mine.catch(function () { if (engine === mine) engine = null; });  // tried again on the next search
      }
      return engine;
    }
    function renew() {
      if (engine) {
        retired = engine.then(function (pf) { return pf.destroy && pf.destroy(); }).catch(function () {});
        engine = null;
      }
      if (input.value.trim()) run();
    }
    window.addEventListener("hubgen:search-index", renew);
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
    // The part of a page that answers best: the heading section (a question under "Common questions",
    // say) whose matches weigh most, when it is not simply the top of the page.
    function best(d) {
      var top = null;
      var weight = 0;
      (d.sub_results || []).forEach(function (sub) {
        var w = 0;
        (sub.weighted_locations || []).forEach(function (l) { w += l.balanced_score || 0; });
        if (w > weight) { weight = w; top = sub; }
      });
      return top && top.url && top.url.indexOf("#") >= 0 ? top : null;
    }
    function results(n, query) {
      return (n === 1 ? "1 result" : n + " results") + " for \u201c" + query + "\u201d";
    }
    function say(text) {
      list.replaceChildren();
      count.textContent = text;
      out.hidden = false;
    }
    function close() {
      clearTimeout(timer);
      turn++;  // a search still under way shows nothing
      out.hidden = true;
      list.replaceChildren();
      count.textContent = "";
    }
    function show(items, total, query) {
      say(total ? results(total, query) + (total > items.length ? ", " + items.length + " shown" : "") : "No results for \u201c" + query + "\u201d");
      items.forEach(function (d) {
        var item = el("li");
        var sub = best(d);
        var title = (d.meta && d.meta.title) || d.url;
        var link = el("a", "search-title", title);
        link.href = sub ? sub.url : d.url;
        item.appendChild(link);
        if (sub) link.appendChild(el("span", "search-section", sub.title));
        if (d.meta && d.meta.hub && d.meta.hub !== title) item.appendChild(el("span", "search-hub", d.meta.hub));
        item.appendChild(excerpt(sub ? sub.excerpt : d.excerpt));
        list.appendChild(item);
      });
    }
    function words(html) {
      var doc = new DOMParser().parseFromString(html || "", "text/html");
      return Array.prototype.map.call(doc.querySelectorAll("mark"), function (m) { return m.textContent.toLocaleLowerCase(); });
    }
    // Pagefind answers a word it has not indexed with the longest indexed word it begins with ("zzqqxx"
    // finds "z", "thezzq" finds "the"), and that cannot be turned off (Pagefind issue #780). A word counts
    // as found when Pagefind's exact search (quotes: stemmed, no backtracking) finds it, or when a word it
    // marked in a result begins with it (a word still being typed); a query with a word that is neither
    // has no results.
    function found(pf, word) {
      return pf.search("\"" + word + "\"").then(function (exact) {
        if (exact.results.length) return true;
        return pf.search(word).then(function (loose) {
          return Promise.all(loose.results.slice(0, 3).map(function (r) { return r.data(); })).then(function (items) {
            var plain = word.toLocaleLowerCase();
            return items.some(function (d) {
              var marked = words(d.excerpt);
              (d.sub_results || []).forEach(function (s) { marked = marked.concat(words(s.excerpt)); });
              return marked.some(function (m) { return m.replace(/^[^\p{L}\p{N}]+/u, "").indexOf(plain) === 0; });
            });
          });
        });
      });
    }
    function known(pf, query) {
      var each = query.split(/\s+/).filter(Boolean).slice(0, 8);
      return Promise.all(each.map(function (w) { return found(pf, w); })).then(function (all) {
        return all.every(Boolean);
      });
    }
    function run() {
      var query = input.value.trim();
      var mine = ++turn;
      if (!query) { close(); return; }
      load().then(function (pf) {
        var exact = /^\s*".+"\s*$/.test(query);
        return Promise.all([pf.search(query), exact ? true : known(pf, query.replace(/"/g, " "))]);
      }).then(function (both) {
        var hits = both[1] ? both[0].results : [];
        return Promise.all(hits.slice(0, SHOWN).map(function (r) { return r.data(); })).then(function (items) {
          if (mine === turn) show(items, hits.length, query);
        });
      }).catch(function (error) {
        if (mine !== turn) return;
        say(error instanceof Building ? "Search index is being built\u2026" : "Search is not available here.");
      });
    }
    function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }
    function step(from, by) {
      var all = links();
      if (!all.length) return;
      var at = all.indexOf(from);
      var next = at < 0 ? (by > 0 ? 0 : all.length - 1) : at + by;
      if (next < 0) input.focus();
      else all[Math.min(next, all.length - 1)].focus();
    }
    input.addEventListener("focus", load);
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        e.preventDefault();
        close();
        input.focus();
      } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (out.hidden && e.target === input && input.value.trim()) { e.preventDefault(); run(); return; }
        if (out.hidden || !links().length) return;
        e.preventDefault();
        step(e.target === input ? null : e.target, e.key === "ArrowDown" ? 1 : -1);
      } else if (e.key === "Enter" && e.target === input) {
        var first = links()[0];
        if (first) { e.preventDefault(); first.click(); }
      }
    });
    box.addEventListener("focusout", function (e) {
      if (!box.contains(e.relatedTarget) && e.relatedTarget) close();
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
    if (e.shiftKey || (t.closest && t.closest("[data-search]"))) return;
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
