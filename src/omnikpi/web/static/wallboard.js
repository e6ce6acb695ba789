// The wallboard: one EventSource, each `snapshot` event redraws the numbers. The words it
// writes come in the page's language from the template (#wallboard-words); with live updates
// off on the server (data-live="off") it opens no stream and the page says so.
(function () {
  "use strict";
  const board = document.getElementById("wallboard");
  const island = document.getElementById("wallboard-words");
  const words = island ? JSON.parse(island.textContent) : {};
  const states = words.states || {}, channels = words.channels || {}, sentences = words.alerts || {};
  if (board.dataset.live === "off") return;
  const params = new URLSearchParams(board.dataset.query);
  const queueFilter = (params.get("queue") || "").split(",").filter(Boolean);
  const channelFilter = (params.get("channel") || "").split(",").filter(Boolean);
  const stream = new URLSearchParams();
  for (const key of ["tenant", "site"]) { if (params.get(key)) stream.set(key, params.get(key)); }

  const pct = (v) => (v === null || v === undefined) ? "—" : (100 * v).toFixed(1) + " %";
  const unit = Object.assign({h: "h", min: "min", s: "s"}, words.units || {});
  const secs = (v) => (v === null || v === undefined) ? "—" :
    (v >= 3600 ? (v / 3600).toFixed(1) + " " + unit.h
      : v >= 60 ? Math.floor(v / 60) + " " + unit.min + " " + Math.round(v % 60) + " " + unit.s
        : Math.round(v) + " " + unit.s);
  const num = (v) => (v === null || v === undefined) ? "—" : String(Math.round(v));
  const text = (id, value) => { document.getElementById(id).textContent = value; };
  // an English alert sentence of the server put into the page's language (numbers kept)
  const patterns = {
    sl: /^service level (.+?) below (.+?)$/, wait: /^longest wait (.+?) s over (.+?) s$/,
    unavailable: /^(.+?) is unavailable to customers$/, capacity: /^(.+?) chats open, capacity (.+?)$/,
    agent: /^agent (.+?)$/,
  };
  function sentence(english) {
    for (const [key, pattern] of Object.entries(patterns)) {
      const found = english.match(pattern);
      if (found && sentences[key]) {
        let i = 0;
        return sentences[key].replace(/\{\w+\}/g, () => found[++i]);
      }
    }
    return english;
  }
  // data (queue, site, tenant, agent ids, reasons) is marked translate="no"
  function cell(row, value, cls, data) {
    const td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "—" : value;
    if (cls) td.className = cls;
    if (data) td.setAttribute("translate", "no");
    row.appendChild(td);
  }
  function fill(id, rows, render) {
    const body = document.querySelector("#" + id + " tbody");
    body.replaceChildren();
    for (const r of rows) { const tr = document.createElement("tr"); render(tr, r); body.appendChild(tr); }
  }
  function draw(data) {
    const t = data.totals || {};
    text("t-waiting", num(t.waiting));
    text("t-longest", secs(t.longest_wait_s));
    text("t-sl", pct(t.service_level));
    text("t-abandon", pct(t.abandon_rate));
    text("t-asa", secs(t.asa));
    text("t-offered", num(t.offered));
    text("t-backlog", num(t.backlog) + (t.backlog ? " · " + secs(t.oldest_backlog_s) : ""));
    const queues = data.queues.filter((q) =>
      (!queueFilter.length || queueFilter.includes(q.queue)) &&
      (!channelFilter.length || channelFilter.includes(q.channel)));
    fill("queues", queues, (tr, q) => {
      for (const k of ["tenant", "site", "queue"]) cell(tr, q[k], "", true);
      cell(tr, channels[q.channel] || q.channel, "", !channels[q.channel]);
      cell(tr, num(q.waiting), q.waiting ? "warn" : "");
      cell(tr, secs(q.longest_wait_s));
      cell(tr, num(q.offered));
      cell(tr, pct(q.service_level), q.service_level !== null && q.service_level < 0.8 ? "bad" : "good");
      cell(tr, pct(q.abandon_rate));
      cell(tr, secs(q.asa));
    });
    fill("agents", data.agents, (tr, a) => {
      cell(tr, a.site, "", true); cell(tr, states[a.state] || a.state, "", !states[a.state]);
      cell(tr, a.reason, "", true); cell(tr, a.agents);
    });
    fill("chats", data.chat, (tr, a) => {
      cell(tr, a.agent_id, "", true); cell(tr, a.site, "", true);
      cell(tr, a.sessions, a.sessions > a.capacity ? "bad" : ""); cell(tr, a.capacity);
    });
    const closed = document.getElementById("unavailable");
    closed.replaceChildren(...data.unavailable.map((u) => {
      const li = document.createElement("li"); li.setAttribute("translate", "no");
      li.textContent = (channels[u.channel] || u.channel) + (u.queue ? " / " + u.queue : ""); return li;
    }));
    const alerts = document.getElementById("alerts");
    alerts.replaceChildren(...data.alerts.map((a) => {
      const p = document.createElement("p"); p.className = "alert";
      p.textContent = "⚠ " + a.rule + ": " + sentence(a.subject) + " — " + sentence(a.message); return p;
    }));
    text("live-at", data.at.replace("T", " ").slice(0, 19) + " (" + data.tz + ")");
    board.dataset.seq = data.seq;
    document.getElementById("live-dot").className = "dot on";
  }
  const source = new EventSource("/api/v1/live/stream?" + stream.toString());
  source.addEventListener("snapshot", (event) => draw(JSON.parse(event.data)));
  source.onerror = () => { document.getElementById("live-dot").className = "dot off"; };
})();
