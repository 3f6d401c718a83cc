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

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.altKey || e.metaKey || e.shiftKey) return;
    var t = e.target;
    if (typing(t)) return;
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
