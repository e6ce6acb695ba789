// The wallboard: one EventSource, each `snapshot` event redraws the numbers.
(function () {
  "use strict";
  const board = document.getElementById("wallboard");
  const params = new URLSearchParams(board.dataset.query);
  const queueFilter = (params.get("queue") || "").split(",").filter(Boolean);
  const channelFilter = (params.get("channel") || "").split(",").filter(Boolean);
  const stream = new URLSearchParams();
  for (const key of ["tenant", "site"]) { if (params.get(key)) stream.set(key, params.get(key)); }

  const pct = (v) => (v === null || v === undefined) ? "—" : (100 * v).toFixed(1) + " %";
  const secs = (v) => (v === null || v === undefined) ? "—" :
    (v >= 3600 ? (v / 3600).toFixed(1) + " h" : v >= 60 ? Math.floor(v / 60) + " min " + Math.round(v % 60) + " s" : Math.round(v) + " s");
  const num = (v) => (v === null || v === undefined) ? "—" : String(Math.round(v));
  const text = (id, value) => { document.getElementById(id).textContent = value; };
  function cell(row, value, cls) {
    const td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "—" : value;
    if (cls) td.className = cls;
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
      for (const k of ["tenant", "site", "queue", "channel"]) cell(tr, q[k]);
      cell(tr, num(q.waiting), q.waiting ? "warn" : "");
      cell(tr, secs(q.longest_wait_s));
      cell(tr, num(q.offered));
      cell(tr, pct(q.service_level), q.service_level !== null && q.service_level < 0.8 ? "bad" : "good");
      cell(tr, pct(q.abandon_rate));
      cell(tr, secs(q.asa));
    });
    fill("agents", data.agents, (tr, a) => { cell(tr, a.site); cell(tr, a.state); cell(tr, a.reason); cell(tr, a.agents); });
    fill("chats", data.chat, (tr, a) => {
      cell(tr, a.agent_id); cell(tr, a.site);
      cell(tr, a.sessions, a.sessions > a.capacity ? "bad" : ""); cell(tr, a.capacity);
    });
    const closed = document.getElementById("unavailable");
    closed.replaceChildren(...data.unavailable.map((u) => {
      const li = document.createElement("li"); li.textContent = u.channel + (u.queue ? " / " + u.queue : ""); return li;
    }));
    const alerts = document.getElementById("alerts");
    alerts.replaceChildren(...data.alerts.map((a) => {
      const p = document.createElement("p"); p.className = "alert";
      p.textContent = "⚠ " + a.rule + ": " + a.subject + " — " + a.message; return p;
    }));
    text("live-at", data.at.replace("T", " ").slice(0, 19) + " (" + data.tz + ")");
    board.dataset.seq = data.seq;
    document.getElementById("live-dot").className = "dot on";
  }
  const source = new EventSource("/api/v1/live/stream?" + stream.toString());
  source.addEventListener("snapshot", (event) => draw(JSON.parse(event.data)));
  source.onerror = () => { document.getElementById("live-dot").className = "dot off"; };
})();
