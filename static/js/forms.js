// When a form comes back with problems, move the focus to their summary so
// that keyboard and screen reader users start from the list of what to fix.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  });
})();
