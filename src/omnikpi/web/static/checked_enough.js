// Checkbox groups that need a number of ticks (a calibration's contacts and evaluators,
// a coaching session's items) say so in the page before the form is sent. The server
// refuses such a form too, but its refusal page loses what was typed and ticked.
(function () {
  "use strict";
  var groups = document.querySelectorAll("[data-min-checked]");
  var forms = [];
  groups.forEach(function (group) {
    var form = group.closest("form");
    if (form && forms.indexOf(form) < 0) { forms.push(form); }
  });
  function shortOf(form) {
    var mine = form.querySelectorAll("[data-min-checked]");
    for (var i = 0; i < mine.length; i++) {
      var need = parseInt(mine[i].getAttribute("data-min-checked"), 10);
      if (mine[i].querySelectorAll("input[type=checkbox]:checked").length < need) {
        return mine[i];
      }
    }
    return null;
  }
  forms.forEach(function (form) {
    var box = form.querySelector(".form-error[role=alert]");
    var named = null;  // the group the message is about
    form.addEventListener("submit", function (event) {
      named = shortOf(form);
      if (!named) { box.hidden = true; return; }
      event.preventDefault();
      box.textContent = named.getAttribute("data-message");
      box.hidden = false;
      var first = named.querySelector("input[type=checkbox]");
      if (first) { first.focus(); }
    });
    form.addEventListener("change", function () {
      // the message goes once its own group has enough ticks (the next submit names
      // the next group short of them, if any)
      if (named && named.querySelectorAll("input[type=checkbox]:checked").length >=
          parseInt(named.getAttribute("data-min-checked"), 10)) {
        box.hidden = true;
        named = null;
      }
    });
  });
}());
