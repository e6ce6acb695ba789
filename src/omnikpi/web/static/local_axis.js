/* The tick labels of a day's time axis on the local clock (the agent timeline, the
   schedule's coverage chart). The axis is real elapsed time from the local day's start on
   Plotly's zone-less date axis (omnikpi/web/gantt.py, DayAxis); `clock` says from which
   position on how far the wall clock stands from it, and which UTC offset to name in an
   hour the clock shows twice. Ticks fall on round local times and are computed again
   when the chart is zoomed or resized. */
(function () {
  "use strict";
  const MINUTE = 60000;
  const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720].map(m => m * MINUTE);

  function two(n) { return String(n).padStart(2, "0"); }

  // a label's width in pixels (12 px digits), its widest line
  function wide(text) { return 7 * Math.max(...text.split("<br>").map(l => l.length)); }

  function label(wall, offset) {
    const at = new Date(wall);
    // the hour the clock shows twice: its UTC offset under the time
    return two(at.getUTCHours()) + ":" + two(at.getUTCMinutes()) +
      (offset ? "<br>" + offset : "");
  }

  function ticks(clock, low, high, width) {
    const step = STEPS.find(s => (high - low) / s <= Math.max(2, width / 60)) ||
      1440 * MINUTE;
    const first = [], rest = [];
    clock.forEach((c, i) => {
      const from = i === 0 ? low : Math.max(low, c.at);
      const to = i + 1 < clock.length ? Math.min(high, clock[i + 1].at) : high;
      const last = i + 1 >= clock.length || clock[i + 1].at > high;
      if (from > to) { return; }
      // where the clock jumps, or an hour it shows twice begins: a tick first of all
      if (i > 0 && c.at >= low) { first.push([c.at, label(c.at + c.shift, c.offset)]); }
      for (let wall = Math.ceil((from + c.shift) / step) * step;
           wall < to + c.shift || (last && wall === to + c.shift); wall += step) {
        rest.push([wall - c.shift, label(wall, c.offset)]);
      }
    });
    // no two labels closer than they are wide (the clock's changes keep theirs)
    const perMs = width / Math.max(1, high - low);
    const kept = [];
    for (const [at, text] of first.concat(rest)) {
      if (kept.every(([a, t]) => a !== at &&
          Math.abs(at - a) * perMs >= (wide(t) + wide(text)) / 2 + 8)) {
        kept.push([at, text]);
      }
    }
    kept.sort((x, y) => x[0] - y[0]);
    return {vals: kept.map(k => k[0]), text: kept.map(k => k[1])};
  }

  window.omnikpiLocalAxis = function (div, clock) {
    if (!clock || !clock.length) { return; }
    let busy = false;
    const bottom = div.layout.margin && div.layout.margin.b || 40;
    function apply() {
      const ax = div._fullLayout && div._fullLayout.xaxis;
      if (!ax || busy) { return; }
      const range = ax.range.map(v => typeof v === "number" ? v : ax.r2l(v));
      const made = ticks(clock, range[0], range[1], ax._length || div.clientWidth);
      busy = true;
      Plotly.relayout(div, {"xaxis.tickmode": "array", "xaxis.tickvals": made.vals,
                            "xaxis.ticktext": made.text, "xaxis.tickangle": 0,
                            "margin.b": made.text.some(t => t.includes("<br>")) ?
                              bottom + 16 : bottom})
        .then(() => { busy = false; }, () => { busy = false; });
    }
    div.on("plotly_relayout", e => {
      if (!busy && e && Object.keys(e).some(k => k.startsWith("xaxis.range") ||
          k === "xaxis.autorange" || k === "autosize" || k === "width")) { apply(); }
    });
    window.addEventListener("resize", () => { window.setTimeout(apply, 100); });
    apply();
  };
})();
