// DEL's only script: start Det Fælles Designsystem's components and focus the error summary.
// Loaded as a file (the Content-Security-Policy forbids inline script).
(function () {
  "use strict";
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
