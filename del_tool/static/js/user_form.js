// The user form: show only the scope fields of the chosen role (staff: units, leader: centre,
// council: municipality). The server empties the others itself when the form is saved
// (admin/forms.py UserForm.drop_scope_of_other_roles), so without this script the form still
// works: it only shows every field.
(function () {
  "use strict";
  var groups = document.querySelectorAll("[data-scope-role]");
  var radios = document.querySelectorAll("input[name='role']");
  if (!groups.length || !radios.length) {
    return;
  }
  var note = document.getElementById("scope-none");

  function chosenRole() {
    for (var i = 0; i < radios.length; i += 1) {
      if (radios[i].checked) {
        return radios[i].value;
      }
    }
    return "";
  }

  function update() {
    var role = chosenRole();
    var shown = 0;
    groups.forEach(function (group) {
      var applies = group.getAttribute("data-scope-role") === role;
      group.hidden = !applies;
      if (applies) {
        shown += 1;
      }
    });
    if (note) {
      note.hidden = shown > 0 || role === "";
    }
  }

  radios.forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
