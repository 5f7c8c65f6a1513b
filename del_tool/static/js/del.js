// DEL's shared script: start Det Fælles Designsystem's components, focus the error summary and
// count what is left of a text area's limit. Loaded as a file (the Content-Security-Policy
// forbids inline script); a page's own script comes after it (templates' "scripts" block).
(function () {
  "use strict";
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // Characters as the server counts them: code points, a line break as one.
  function length(text) {
    return Array.from(text.replace(/\r\n/g, "\n")).length;
  }

  function startCounter(area) {
    var limit = parseInt(area.getAttribute("data-max-chars"), 10);
    var hint = document.getElementById(area.id + "-count");
    var live = document.getElementById(area.id + "-count-live");
    if (!limit || !hint) {
      return;
    }
    var timer = null;
    function update() {
      var left = limit - length(area.value);
      var message;
      if (left > 0) {
        message = hint.getAttribute("data-left").replace("{count}", String(left));
      } else if (left === 0) {
        message = hint.getAttribute("data-full");
      } else {
        message = hint.getAttribute("data-over").replace("{count}", String(-left));
      }
      hint.textContent = message;
      hint.classList.toggle("del-char-over", left < 0);
      // Screen readers hear the count once typing pauses, not at every key.
      if (live) {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          live.textContent = message;
        }, 1000);
      }
    }
    area.addEventListener("input", update);
    update();
  }

  window.DEL = window.DEL || {};
  window.DEL.startCounters = function (root) {
    Array.prototype.forEach.call(root.querySelectorAll("textarea[data-max-chars]"), startCounter);
  };
  window.DEL.startCounters(document);
})();
