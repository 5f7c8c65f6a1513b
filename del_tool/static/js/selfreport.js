// The citizen's self-report screen (del_tool/selfreport): a minute before the idle limit the
// page says so and offers a button to go on (WCAG 2.2.1: warned, and one press extends); at the
// limit it reloads, and the server ends the session, keeping what was answered.
(function () {
  "use strict";
  var form = document.querySelector("form[data-idle-seconds]");
  if (!form) {
    return;
  }
  var seconds = parseInt(form.getAttribute("data-idle-seconds"), 10);
  var warning = document.getElementById("idle-warning");
  if (!seconds || !warning) {
    return;
  }
  var warnAfter = Math.max(seconds - 60, Math.floor(seconds / 2)) * 1000;
  window.setTimeout(function () {
    warning.hidden = false;
  }, warnAfter);
  window.setTimeout(function () {
    window.location.reload();
  }, (seconds + 2) * 1000);
})();
