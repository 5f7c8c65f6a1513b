// The new follow-up form follows its date in place (followups/form.html). When the date changes,
// the form is posted with "refresh" in the background and the goals and questionnaires for the
// new date replace the old ones, filled with what is in the form at that moment: nothing typed
// is lost, also not what was typed while the request was under way. Without script the
// "Opdatér formularen til datoen" button does the same with a page load.
(function () {
  "use strict";
  var form = document.getElementById("followup-form");
  var button = document.getElementById("followup-refresh");
  var status = document.getElementById("followup-status");
  var date = form && form.elements.namedItem("followup_date");
  if (!form || !button || !date || !window.fetch || !window.DOMParser || !window.FormData) {
    return;
  }
  var ANSWER = /^(goal_|q_)/;
  var shown = date.value;
  var timer = null;
  var request = null;

  function usable(value) {
    return /^\d{4}-\d{2}-\d{2}$/.test(value) && value >= "1980-01-01";
  }

  function answers() {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      if (ANSWER.test(name)) {
        (values[name] = values[name] || []).push(value);
      }
    });
    return values;
  }

  function fill(sections, values) {
    var present = {};
    Array.prototype.forEach.call(sections.querySelectorAll("input, textarea, select"), function (el) {
      var name = el.name;
      if (!name || !Object.prototype.hasOwnProperty.call(values, name)) {
        return;
      }
      present[name] = true;
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = values[name].indexOf(el.value) >= 0;
      } else {
        el.value = values[name][0];
      }
    });
    // Answers to what the new date lacks travel along hidden, as the server does.
    Object.keys(values).forEach(function (name) {
      if (present[name]) {
        return;
      }
      values[name].forEach(function (value) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = name;
        hidden.value = value;
        sections.appendChild(hidden);
      });
    });
  }

  function replaceById(page, id, before) {
    var fresh = page.getElementById(id);
    var old = document.getElementById(id);
    if (old) {
      old.remove();
    }
    if (fresh && before) {
      before.parentNode.insertBefore(document.importNode(fresh, true), before);
    }
  }

  function showDate(page) {
    var group = date.closest(".form-group");
    var freshDate = page.getElementById(date.id);
    var freshGroup = freshDate && freshDate.closest(".form-group");
    if (!group || !freshGroup) {
      return "";
    }
    group.className = freshGroup.className;
    replaceById(page, date.id + "-error", date);
    ["aria-invalid", "aria-describedby"].forEach(function (name) {
      if (freshDate.hasAttribute(name)) {
        date.setAttribute(name, freshDate.getAttribute(name));
      } else {
        date.removeAttribute(name);
      }
    });
    var error = document.getElementById(date.id + "-error");
    return error ? error.textContent.trim() : "";
  }

  function apply(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var freshSections = page.getElementById("followup-sections");
    if (!freshSections) {
      throw new Error("no form in the answer");
    }
    var sections = document.getElementById("followup-sections");
    var values = answers(); // what is in the form now, after the request went off
    sections.innerHTML = freshSections.innerHTML;
    fill(sections, values);
    ["shown_date", "layout"].forEach(function (name) {
      var fresh = page.querySelector('input[name="' + name + '"]');
      form.elements.namedItem(name).value = fresh ? fresh.value : "";
    });
    replaceById(page, "error-summary", null);
    replaceById(page, "followup-refreshed", status);
    var error = showDate(page);
    var notice = document.getElementById("followup-refreshed");
    status.textContent = error || (notice ? notice.textContent.trim() : "");
    if (window.DEL && window.DEL.startCounters) {
      window.DEL.startCounters(sections);
    }
  }

  function refresh() {
    if (!usable(date.value) || date.value === shown) {
      return;
    }
    shown = date.value;
    if (request) {
      request.abort();
    }
    request = new AbortController();
    var data = new FormData(form);
    window.fetch(button.formAction, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      signal: request.signal,
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("status " + response.status);
      }
      return response.text();
    }).then(apply).catch(function (error) {
      if (error.name !== "AbortError") {
        shown = "";
        status.textContent = status.getAttribute("data-failed");
      }
    });
  }

  date.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 600);
  });
  date.addEventListener("blur", function () {
    window.clearTimeout(timer);
    refresh();
  });
})();
