// Bring the highlighted cell (or page) of the item viewer into the middle of the view, also
// after the browser's own jump to #cell (load) and after htmx swaps a sheet's rows.
(function () {
  function reveal() {
    // the cell before its row (a list of selectors finds whichever comes first: the row)
    var el = document.querySelector("td.target") || document.querySelector("tr.target-row, .page.target");
    if (!el) return;
    var wrap = el.closest(".grid-wrap");
    if (!wrap) {
      el.scrollIntoView({ block: "center", inline: "center" });
      return;
    }
    // the grid scrolls inside itself: centre the cell in it sideways (a phone's window cannot
    // scroll sideways, so "inline: center" would not), then in the view up and down
    var r = el.getBoundingClientRect(), w = wrap.getBoundingClientRect();
    wrap.scrollLeft += r.left - w.left - (wrap.clientWidth - r.width) / 2;
    el.scrollIntoView({ block: "center", inline: "nearest" });
  }
  // Columns widen as rows and fonts arrive: follow the cell until the reader moves.
  var moved = false;
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (ev) {
    window.addEventListener(ev, function () { moved = true; }, { once: true, passive: true });
  });
  function follow() { if (!moved) reveal(); }
  document.addEventListener("DOMContentLoaded", function () {
    reveal();
    var grid = document.querySelector("table.grid");
    if (grid && window.ResizeObserver) new ResizeObserver(follow).observe(grid);
  });
  window.addEventListener("load", function () { setTimeout(follow, 0); });
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(follow);
  document.addEventListener("htmx:afterSettle", follow);
})();
// A table wider than a phone's screen scrolls inside itself: one that does can be reached
// and scrolled with the keyboard too.
(function () {
  function focusable() {
    var tables = document.querySelectorAll("main table:not(.grid)");
    for (var i = 0; i < tables.length; i++) {
      var t = tables[i];
      if (t.scrollWidth > t.clientWidth + 1 && !t.hasAttribute("tabindex")) t.tabIndex = 0;
    }
  }
  document.addEventListener("DOMContentLoaded", focusable);
  // again once the fonts are in (a script's own fonts, Arabic or CJK, can widen a table)
  window.addEventListener("load", focusable);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(focusable);
  window.addEventListener("resize", focusable);
})();
