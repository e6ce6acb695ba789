/* OmniKPI filter form: searchable multi-select pickers, period presets, clean URLs.
   Progressive enhancement: without this script every picker is a plain text field
   taking comma-separated values (queue=a,b), which is also what the pickers write. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // values joined by commas; a comma or backslash inside a value has a backslash before
  // it (web/value_list.py reads them so): "Doe, Jane" is one agent, not two
  function values(input) {
    const out = [];
    let current = "", escaped = false;
    for (const ch of input.value) {
      if (escaped) { current += ch; escaped = false; }
      else if (ch === "\\") escaped = true;
      else if (ch === ",") { out.push(current); current = ""; }
      else current += ch;
    }
    out.push(escaped ? current + "\\" : current);
    return out.map(v => v.trim()).filter(v => v);
  }

  function joined(list) {
    return list.map(v => v.replace(/\\/g, "\\\\").replace(/,/g, "\\,")).join(",");
  }

  // a mouse button or a finger is down: the focus moves because of it, not of Tab
  let pressing = false;
  document.addEventListener("pointerdown", () => { pressing = true; }, true);
  document.addEventListener("pointerup", () => { setTimeout(() => { pressing = false; }); }, true);
  document.addEventListener("pointercancel", () => { pressing = false; }, true);

  function picker(input, index) {
    let options = [];
    try { options = JSON.parse(input.dataset.options || "[]"); } catch (e) { options = []; }
    // a channel or direction in the page's language; the value sent stays the data's
    let labels = {};
    try { labels = JSON.parse(input.dataset.labels || "{}"); } catch (e) { labels = {}; }
    const shown = value => labels[value] || value;
    const chosen = new Set(values(input));
    chosen.forEach(v => { if (!options.includes(v)) options.push(v); });
    if (!options.length) return; // nothing to choose from: the text field stays
    const box = el("div", {"class": "picker-box"});
    const popId = "picker-pop-" + index;
    const toggle = el("button", {"type": "button", "class": "picker-toggle",
      "aria-expanded": "false", "aria-controls": popId, "id": "picker-" + input.name});
    const pop = el("div", {"class": "picker-pop", "id": popId, "hidden": ""});
    const search = el("input", {"type": "search", "class": "picker-search",
      "placeholder": input.dataset.search || "Search…",
      "aria-label": (input.dataset.label || input.name) + " — " + (input.dataset.search || "")});
    const clear = el("button", {"type": "button", "class": "picker-clear"},
      input.dataset.clear || "Clear");
    const list = el("div", {"class": "picker-list", "role": "group",
      "aria-label": input.dataset.label || input.name});
    const boxes = [];
    options.forEach(value => {
      const item = el("div", {"class": "picker-item"});
      const label = el("label");
      const check = el("input", {"type": "checkbox", "value": value});
      check.checked = chosen.has(value);
      check.addEventListener("change", () => {
        if (check.checked) chosen.add(value); else chosen.delete(value);
        sync();
      });
      label.append(check, document.createTextNode(" " + shown(value)));
      item.append(label);
      list.append(item);
      boxes.push([value, item, check]);
    });
    function sync() {
      const picked = options.filter(v => chosen.has(v));
      input.value = joined(picked);
      toggle.textContent = picked.length ? picked.map(shown).join(", ")
        : (input.dataset.none || "all");
      toggle.title = toggle.textContent;
      toggle.setAttribute("aria-label", (input.dataset.label || input.name) + ": " + toggle.textContent);
      toggle.classList.toggle("picked", picked.length > 0);
    }
    function open(show) {
      pop.hidden = !show;
      toggle.setAttribute("aria-expanded", String(show));
      if (show) search.focus();
    }
    search.addEventListener("input", () => {
      const needle = search.value.trim().toLowerCase();
      boxes.forEach(([value, item]) => {
        item.hidden = !!needle && !value.toLowerCase().includes(needle)
          && !shown(value).toLowerCase().includes(needle);
      });
    });
    search.addEventListener("keydown", event => {
      if (event.key === "Enter") {  // Enter picks the first match instead of submitting
        event.preventDefault();
        const first = boxes.find(([, item]) => !item.hidden);
        if (first) { first[2].checked = !first[2].checked; first[2].dispatchEvent(new Event("change")); }
      }
    });
    clear.addEventListener("click", () => {
      chosen.clear();
      boxes.forEach(([, , check]) => { check.checked = false; });
      sync();
    });
    toggle.addEventListener("click", () => open(pop.hidden));
    box.addEventListener("keydown", event => {
      if (event.key === "Escape" && !pop.hidden) { open(false); toggle.focus(); }
    });
    document.addEventListener("click", event => {
      if (!box.contains(event.target) && !pop.hidden) open(false);
    });
    // Tab takes the focus out of the picker: it closes, as an outside click closes it. A
    // press of the mouse is left to that click (closing at its mousedown moved the form
    // under the pointer: the Apply button pressed was not the one released), and a focus
    // going nowhere keeps it open.
    box.addEventListener("focusout", event => {
      if (!pop.hidden && !pressing && event.relatedTarget && !box.contains(event.relatedTarget)) {
        open(false);
      }
    });
    pop.append(search, clear, list);
    input.type = "hidden";
    input.after(box);
    box.append(toggle, pop);
    sync();
  }

  function presets(form) {
    const select = form.querySelector("#preset");
    if (!select) return;
    select.closest(".presets").hidden = false;
    // A period picked with the mouse applies at once; moved to with the keyboard (arrows,
    // letters) it only fills the dates, and Enter or the Apply button applies it: an arrow
    // stepping through the list must not load a new page at each step (WCAG 3.2.2).
    let byKeyboard = false;
    select.addEventListener("keydown", event => {
      if (event.key === "Enter" && form.id === "filters") { event.preventDefault(); form.requestSubmit(); }
      else if (event.key !== "Tab" && event.key !== "Shift") byKeyboard = true;
    });
    select.addEventListener("pointerdown", () => { byKeyboard = false; });
    select.addEventListener("change", () => {
      const option = select.selectedOptions[0];
      if (!option || !option.dataset.from) return;
      const from = form.querySelector("#filter-from");
      let to = form.querySelector("#filter-to");
      from.type = "date"; from.name = "from"; from.value = option.dataset.from;
      to.type = "date"; to.name = "to_day"; to.value = option.dataset.to;
      if (form.id === "filters" && !byKeyboard) form.requestSubmit();
    });
  }

  function clean(form) {
    // empty fields stay out of the URL (a shareable link holds only what was chosen)
    form.addEventListener("submit", () => {
      form.querySelectorAll("input[name], select[name]").forEach(field => {
        if (!field.value) field.disabled = true;
      });
    });
    window.addEventListener("pageshow", () => {  // back to this page: the fields again
      form.querySelectorAll("[disabled]").forEach(field => { field.disabled = false; });
    });
  }

  document.querySelectorAll("form#filters, form#builder").forEach(form => {
    form.querySelectorAll("input.picker").forEach((input, i) => picker(input, form.id + i));
    presets(form);
    clean(form);
  });
})();
