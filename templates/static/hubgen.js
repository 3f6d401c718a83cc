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
        btn.setAttribute("aria-pressed", theme() === "dark" ? "true" : "false");
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
    setUpSearch();
    setUpProgress();
    var hints = document.querySelectorAll("[data-kbd-hint]");
    for (var i = 0; i < hints.length; i++) hints[i].hidden = false;
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
