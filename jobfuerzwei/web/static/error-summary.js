// The error summary of a form (macro error_summary): it takes the focus when the page shows it, so keyboard and
// screen-reader users start there, and each of its links moves the focus into the named field (a plain fragment
// link only scrolls, and the next Tab would skip the field). Without this script the links still scroll.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
