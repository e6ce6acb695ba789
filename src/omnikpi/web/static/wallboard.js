// The wallboard and the TV mode: one EventSource, each `snapshot` event redraws the numbers.
// The server cuts the snapshot to the board's tenant/site/queue/channel and judges each figure
// against its goal (configuration, else the metric's declaration): colours come from there.
// The words come in the page's language from the template (#wallboard-words); alerts carry
// their sentence in every language. With live updates off (data-live="off") no stream opens.
(function () {
  "use strict";
  const board = document.getElementById("wallboard");
  const island = document.getElementById("wallboard-words");
  const words = island ? JSON.parse(island.textContent) : {};
  const states = words.states || {}, channels = words.channels || {};
  const lang = document.documentElement.lang || "en";
  if (board.dataset.live === "off") return;
  const configIsland = document.getElementById("board-config");
  const tvIsland = document.getElementById("tv-boards");
  const boards = tvIsland ? JSON.parse(tvIsland.textContent)
    : [configIsland ? JSON.parse(configIsland.textContent) : {}];

  // numbers as the server writes them in this language (ru/uk: "85,3 %", "1,5 ч")
  const oneDecimal = new Intl.NumberFormat(lang, {minimumFractionDigits: 1, maximumFractionDigits: 1});
  const whole = new Intl.NumberFormat(lang, {maximumFractionDigits: 0});
  const pct = (v) => (v === null || v === undefined) ? "—" : oneDecimal.format(100 * v) + " %";
  const unit = Object.assign({h: "h", min: "min", s: "s"}, words.units || {});
  // whole seconds first: 299.6 s is "5 min 0 s", not "4 min 60 s"
  const secs = (v) => {
    if (v === null || v === undefined) return "—";
    const r = Math.round(v);
    return r >= 3600 ? oneDecimal.format(v / 3600) + " " + unit.h
      : r >= 60 ? Math.floor(r / 60) + " " + unit.min + " " + (r % 60) + " " + unit.s
        : r + " " + unit.s;
  };
  const num = (v) => (v === null || v === undefined) ? "—" : whole.format(Math.round(v));
  const text = (id, value) => { document.getElementById(id).textContent = value; };
  // a figure's colour said in words too (WCAG 1.4.1): met / missed for a goal, "needs
  // attention" for the others; the cell's mark (✓ ✗ !) and the word read by a screen reader
  // come from wallboard.css (td[data-flag]), the tile's word is written in the tile
  const tileBox = document.getElementById("live-tiles");
  const verdicts = {good: tileBox.dataset.met || "met", bad: tileBox.dataset.missed || "missed",
                    warn: tileBox.dataset.attention || "needs attention"};
  // data (queue, site, tenant, agent ids, reasons) is marked translate="no"; ``goal``: the
  // class is a figure against its goal (met or missed), not a warning
  function cell(row, value, cls, data, goal) {
    const td = document.createElement("td");
    td.textContent = value === null || value === undefined || value === "" ? "—" : value;
    if (cls) td.className = cls;
    if (cls === "good" || cls === "bad" || cls === "warn") {
      td.dataset.flag = ", " + (goal ? verdicts[cls] : verdicts.warn);
    }
    if (data) td.setAttribute("translate", "no");
    row.appendChild(td);
  }
  // an empty table says so in one row across it: on a phone the queues are cards, and
  // with none the section showed its heading over nothing at all
  const empty = words.empty || {};
  function fill(id, rows, render) {
    const body = document.querySelector("#" + id + " tbody");
    body.replaceChildren();
    for (const r of rows) { const tr = document.createElement("tr"); render(tr, r); body.appendChild(tr); }
    if (!rows.length && empty[id]) {
      const tr = document.createElement("tr"), td = document.createElement("td");
      tr.className = "empty";
      td.colSpan = document.querySelectorAll("#" + id + " thead th").length || 1;
      td.textContent = empty[id];
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }
  // a state in the page's language; in English the id reads as words (not_ready → not ready)
  // a not-ready reason in the page's language (break → перерыв), as the agent's timeline
  // names it; a reason of the center's own stays as written (data: translate="no")
  const reasons = words.reasons || {};
  const reasonName = (r) => (r && reasons[r]) || r;
  const reasonIsData = (r) => !(r && reasons[r]);
  const stateName = (s) => (s && states[s] && states[s] !== s) ? states[s] : s ? String(s).replace("_", " ") : s;
  const mark = (goals, metric) => (goals && goals[metric] && goals[metric].status) || "";

  let current = boards[0] || {};
  let last = null;
  let sortKey = "state", sortDir = 1;

  function showTiles() {
    const tiles = current.tiles || null;
    for (const tile of document.querySelectorAll("#live-tiles .tile")) {
      tile.hidden = tiles !== null && !tiles.includes(tile.dataset.tile);
    }
  }
  function agentValue(a, key) {
    if (key === "queue" || key === "channel") return a.contact ? a.contact[key] || "" : "";
    if (key === "waited_s") return a.contact ? a.contact.waited_s : -1;
    if (key === "state") return (a.state || "~") + "\u0000" + String(1e9 - (a.in_state_s || 0)).padStart(12, "0");
    const v = a[key];
    return v === null || v === undefined ? "" : v;
  }
  // the clock time of an instant of today, with its date when it is of an earlier day (a
  // call that arrived before midnight read 23:58:10 beside today's 00:03)
  function since(instant) {
    const today = last && last.at ? last.at.slice(0, 10) : "";
    return instant.slice(0, 10) === today ? instant.slice(11, 19)
      : instant.slice(0, 10) + " " + instant.slice(11, 19);
  }
  function drawAgents(list) {
    const amber = 60 * (current.amber_minutes !== undefined ? current.amber_minutes
      : current.not_ready_amber_minutes !== undefined ? current.not_ready_amber_minutes : 10);
    const rows = list.slice().sort((x, y) => {
      const a = agentValue(x, sortKey), b = agentValue(y, sortKey);
      return (a < b ? -1 : a > b ? 1 : 0) * sortDir || String(x.agent_id).localeCompare(String(y.agent_id));
    });
    fill("agent-table", rows, (tr, a) => {
      tr.className = "state-" + (a.state || "none") +
        (a.state === "not_ready" && (a.not_ready_s || a.in_state_s) > amber ? " amber" : "");
      tr.dataset.agent = a.agent_id;
      cell(tr, a.agent_id, "", true);
      cell(tr, stateName(a.state), "state", !states[a.state]);
      cell(tr, reasonName(a.reason), "", reasonIsData(a.reason));
      cell(tr, secs(a.in_state_s));
      cell(tr, a.contact ? a.contact.queue : "", "", true);
      const ch = a.contact ? a.contact.channel : a.channel;
      cell(tr, channels[ch] || ch, "", !channels[ch]);
      cell(tr, a.contact ? since(a.contact.waiting_since) + " (" + secs(a.contact.waited_s) + ")" : "");
      cell(tr, a.sessions || a.channel === "chat" ? a.sessions + " / " + a.capacity : "",
        a.sessions > a.capacity ? "bad" : "");
    });
  }
  function draw(data) {
    last = data;
    const t = data.totals || {}, goals = t.goals || {};
    text("t-waiting", num(t.waiting));
    text("t-longest", secs(t.longest_wait_s));
    text("t-sl", pct(t.service_level));
    text("t-abandon", pct(t.abandon_rate));
    text("t-asa", secs(t.asa));
    text("t-offered", num(t.offered));
    text("t-backlog", num(t.backlog) + (t.backlog ? " · " + secs(t.oldest_backlog_s) : ""));
    for (const tile of document.querySelectorAll("#live-tiles .tile[data-metric]")) {
      const g = goals[tile.dataset.metric];
      tile.classList.remove("good", "bad");
      if (g && g.status) tile.classList.add(g.status);
      const target = tile.querySelector(".target");
      if (target) target.textContent = g ? ((g.goal_text && g.goal_text[lang]) || g.goal) : "";
      const verdict = tile.querySelector(".verdict");
      if (verdict) {
        const status = g && (g.status === "good" || g.status === "bad") ? g.status : "";
        verdict.textContent = status ? (status === "good" ? "✓ " : "✗ ") + verdicts[status] : "";
      }
    }
    fill("queues", data.queues, (tr, q) => {
      const discrete = q.mode === "discrete";
      for (const k of ["tenant", "site", "queue"]) cell(tr, q[k], "", true);
      cell(tr, channels[q.channel] || q.channel, "", !channels[q.channel]);
      cell(tr, discrete ? "" : num(q.waiting), !discrete && q.waiting ? "warn" : "");
      cell(tr, discrete ? "" : secs(q.longest_wait_s));
      cell(tr, num(q.agents_available), q.agents_available === 0 && q.waiting ? "bad" : "");
      cell(tr, num(q.agents_busy));
      cell(tr, num(q.agents_not_ready));
      cell(tr, num(q.offered));
      cell(tr, pct(q.service_level), mark(q.goals, "service_level"), false, true);
      cell(tr, pct(q.abandon_rate), mark(q.goals, "abandon_rate"), false, true);
      cell(tr, secs(q.asa), mark(q.goals, "asa"), false, true);
      cell(tr, discrete ? num(q.waiting) : "");
      cell(tr, discrete && q.waiting ? secs(q.longest_wait_s) : "");
    });
    drawAgents(data.agent_list || []);
    fill("agents", data.agents, (tr, a) => {
      cell(tr, a.site, "", true); cell(tr, stateName(a.state), "", !states[a.state]);
      cell(tr, reasonName(a.reason), "", reasonIsData(a.reason)); cell(tr, a.agents);
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
    // a bounded viewer is not shown the center's availability: never "all available"
    const known = data.availability_known !== false;
    const allAvailable = document.getElementById("all-available");
    if (allAvailable) allAvailable.hidden = !known || data.unavailable.length > 0;
    const unknown = document.getElementById("availability-unknown");
    if (unknown) unknown.hidden = known;
    const alerts = document.getElementById("alerts");
    // one line per firing, or per rule when it fires on many subjects (the server groups);
    // redrawn only when they change: the box is a live region, and the same lines written
    // again at every snapshot were said again
    const lines = (data.banner || []).map((line) => "⚠ " + line.rule + ": " + (line.text[lang] || line.text.en));
    if (lines.join("\n") !== [...alerts.children].map((p) => p.textContent).join("\n")) {
      alerts.replaceChildren(...lines.map((line) => {
        const p = document.createElement("p"); p.className = "alert"; p.textContent = line; return p;
      }));
    }
    document.getElementById("no-data").hidden = !!data.has_data;
    text("live-at", data.at.replace("T", " ").slice(0, 19) + " (" + data.tz + ")");
    board.dataset.seq = data.seq;
    document.getElementById("live-dot").className = "dot on";
    sayState("on");
  }
  // the live region says a change of state (live / not live), never the clock's tick
  const liveState = document.getElementById("live-state");
  function sayState(which) {
    if (!liveState || liveState.dataset.state === which) return;
    liveState.dataset.state = which;
    liveState.textContent = liveState.dataset[which] || "";
  }
  for (const button of document.querySelectorAll("#agent-table button.sort")) {
    button.addEventListener("click", () => {
      const key = button.dataset.key;
      sortDir = key === sortKey ? -sortDir : 1;
      sortKey = key;
      for (const th of document.querySelectorAll("#agent-table th")) th.setAttribute("aria-sort", "none");
      button.parentElement.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      if (last) drawAgents(last.agent_list || []);
    });
  }

  let source = null;
  function queryOf(b) {
    if (b.query !== undefined) return b.query;
    const q = new URLSearchParams();
    for (const k of ["tenant", "site", "queue", "channel"]) if (b[k] && b[k].length) q.set(k, b[k].join(","));
    return q.toString();
  }
  function connect(b) {
    current = b;
    showTiles();
    if (source) source.close();
    source = new EventSource("/api/v1/live/stream?" + queryOf(b));
    source.addEventListener("snapshot", (event) => {
      document.body.classList.remove("stale");
      draw(JSON.parse(event.data));
    });
    // the account was disabled or its rights changed: the page goes to the login
    source.addEventListener("signed-out", () => { source.close(); window.location.reload(); });
    source.onerror = () => {
      // the numbers on screen are no longer live: greyed, not shown as if current
      document.getElementById("live-dot").className = "dot off";
      document.body.classList.add("stale");
      sayState("off");
      if (source && source.readyState === EventSource.CLOSED) {
        // the browser gives up on an answer such as 401 (a session that ended): ask
        // once more in a while; signed out, the page reloads to the login
        const closed = source;
        setTimeout(() => {
          if (source !== closed) return;
          fetch("/api/v1/live?" + queryOf(current), {credentials: "same-origin"})
            .then((r) => { if (r.status === 401 || r.status === 403) window.location.reload(); else connect(current); })
            .catch(() => connect(current));
        }, 10000);
      }
    };
  }
  connect(current);
  // A page left for another keeps its stream open while the browser holds it for "back"
  // (the back-forward cache), and a browser opens at most six connections to one server:
  // after a few boards the next page waited a minute for a free one. The stream closes
  // when the page is hidden this way and opens again when it comes back.
  window.addEventListener("pagehide", () => { if (source) { source.close(); source = null; } });
  window.addEventListener("pageshow", (event) => { if (event.persisted) connect(current); });
  if (tvIsland) {
    const name = document.getElementById("board-name");
    let index = 0;
    const seconds = Number(board.dataset.rotate) || 30;
    if (boards.length > 1) {
      setInterval(() => {
        index = (index + 1) % boards.length;
        board.dataset.seq = "-1";
        board.dataset.board = String(index);
        name.textContent = boards[index].name || name.dataset.unnamed || "";
        connect(boards[index]);
      }, seconds * 1000);
    }
    const full = document.getElementById("fullscreen");
    full.addEventListener("click", () => {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(() => {});
    });
  }
})();
