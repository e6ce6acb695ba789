// The evaluation form starts unanswered: submitting names every item still without a
// score or N/A, in the page's language, instead of sending the form.
(function () {
  "use strict";
  var form = document.getElementById("evaluation-form");
  if (!form) { return; }
  var box = document.getElementById("evaluation-error");
  form.addEventListener("submit", function (event) {
    var missing = [];
    var rows = form.querySelectorAll("tr.checklist-item");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var answered = row.querySelector("input[type=radio]:checked") !== null;
      row.classList.toggle("missing", !answered);
      if (!answered) { missing.push(row); }
    }
    if (missing.length === 0) { box.hidden = true; return; }
    event.preventDefault();
    box.textContent = form.getAttribute("data-missing") + " ";
    missing.forEach(function (row, index) {
      var text = row.querySelector("[id^=item-text-]").textContent;
      var name = document.createElement("span");
      name.setAttribute("translate", "no");
      name.textContent = (index ? "; " : "") + text;
      box.appendChild(name);
    });
    box.hidden = false;
    var first = missing[0].querySelector("input[type=radio]");
    if (first) { first.focus(); }
  });
  form.addEventListener("change", function (event) {
    var row = event.target.closest("tr.checklist-item");
    if (row) { row.classList.remove("missing"); }
    if (!form.querySelector("tr.checklist-item.missing")) { box.hidden = true; }
  });
}());
