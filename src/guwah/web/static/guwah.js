// Bring the highlighted cell (or page) of the item viewer into the middle of the view, also
// after the browser's own jump to #cell (load) and after htmx swaps a sheet's rows.
(function () {
  function reveal() {
    var el = document.querySelector("td.target, tr.target-row, .page.target");
    if (el) el.scrollIntoView({ block: "center", inline: "center" });
  }
  document.addEventListener("DOMContentLoaded", reveal);
  window.addEventListener("load", function () { setTimeout(reveal, 0); });
  document.addEventListener("htmx:afterSettle", reveal);
})();
