// A form whose sending cannot be undone (deleting an alert rule with its history, a
// schedule with its runs and files) asks first, in the page's language.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
}());
