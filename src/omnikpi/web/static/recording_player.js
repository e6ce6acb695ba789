// The call recording player of the QA pages: an HTML5 audio element driven by our own
// buttons, a waveform drawn on a canvas from the server's peaks JSON with the talk
// segments of the customer (above the line) and the agent (below), keyboard shortcuts
// (k play/pause, j/l and the arrows on the waveform ±5 s) and the playback speed.
(function () {
  "use strict";
  var STEP = 5;
  var COLORS = { customer: "#c2410c", agent: "#1d4ed8", line: "#334155", head: "#b91c1c" };

  function clock(seconds) {
    if (!isFinite(seconds)) seconds = 0;
    var s = Math.floor(seconds);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function Player(root) {
    this.root = root;
    this.audio = root.querySelector("audio");
    this.canvas = root.querySelector("canvas");
    this.play = root.querySelector("[data-act=play]");
    this.clock = root.querySelector(".clock");
    this.data = null;
    var self = this;
    root.querySelector("[data-act=back]").addEventListener("click", function () { self.seek(-STEP); });
    root.querySelector("[data-act=forward]").addEventListener("click", function () { self.seek(STEP); });
    this.play.addEventListener("click", function () { self.toggle(); });
    root.querySelector("[data-act=speed]").addEventListener("change", function (e) {
      self.audio.playbackRate = parseFloat(e.target.value) || 1;
    });
    ["timeupdate", "loadedmetadata", "play", "pause", "ended", "seeked"].forEach(function (name) {
      self.audio.addEventListener(name, function () { self.update(); });
    });
    this.audio.addEventListener("error", function () { self.problem(); });
    this.canvas.addEventListener("click", function (e) {
      var box = self.canvas.getBoundingClientRect();
      var duration = self.duration();
      if (duration > 0) self.audio.currentTime = (e.clientX - box.left) / box.width * duration;
    });
    this.canvas.addEventListener("keydown", function (e) {
      if (e.key === "ArrowLeft") { self.seek(-STEP); e.preventDefault(); }
      else if (e.key === "ArrowRight") { self.seek(STEP); e.preventDefault(); }
      else if (e.key === " " || e.key === "Enter") { self.toggle(); e.preventDefault(); }
    });
    window.addEventListener("resize", function () { self.draw(); });
    fetch(root.dataset.peaks, { credentials: "same-origin" }).then(function (answer) {
      if (!answer.ok) throw new Error(String(answer.status));
      return answer.json();
    }).then(function (data) { self.data = data; self.draw(); }).catch(function () { self.problem(); });
  }

  Player.prototype.duration = function () {
    var d = this.audio.duration;
    return isFinite(d) && d > 0 ? d : (this.data ? this.data.duration_s : 0);
  };
  Player.prototype.problem = function () {
    this.root.querySelector(".problem").hidden = false;
  };
  Player.prototype.toggle = function () {
    if (this.audio.paused) {
      var started = this.audio.play();
      if (started && started.catch) started.catch(function () {});
    } else {
      this.audio.pause();
    }
  };
  Player.prototype.seek = function (delta) {
    var target = Math.max(0, Math.min(this.duration(), this.audio.currentTime + delta));
    this.audio.currentTime = target;
    this.update();
  };
  Player.prototype.update = function () {
    var now = this.audio.currentTime, duration = this.duration();
    this.clock.textContent = clock(now) + " / " + clock(duration);
    this.play.textContent = this.audio.paused ? this.play.dataset.play : this.play.dataset.pause;
    this.canvas.setAttribute("aria-valuemax", String(Math.round(duration)));
    this.canvas.setAttribute("aria-valuenow", String(Math.round(now)));
    this.canvas.setAttribute("aria-valuetext", clock(now));
    this.draw();
  };
  Player.prototype.draw = function () {
    var canvas = this.canvas, ratio = window.devicePixelRatio || 1;
    var width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    var height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    var g = canvas.getContext("2d");
    g.clearRect(0, 0, width, height);
    var middle = height / 2, duration = this.duration();
    var data = this.data;
    if (data && duration > 0) {
      var sides = data.peaks.mixed ? [["mixed", 1]] : [["customer", -1], ["agent", 1]];
      sides.forEach(function (pair) {
        var side = pair[0], sign = pair[1];
        // the side's talk segments: a band on its half of the canvas
        g.fillStyle = side === "agent" ? "rgba(29, 78, 216, 0.14)" : "rgba(194, 65, 12, 0.14)";
        (data.segments[side] || []).forEach(function (seg) {
          var x0 = seg[0] / duration * width, x1 = seg[1] / duration * width;
          if (side === "mixed") g.fillRect(x0, 0, Math.max(1, x1 - x0), height);
          else g.fillRect(x0, sign < 0 ? 0 : middle, Math.max(1, x1 - x0), middle);
        });
        var values = data.peaks[side] || [];
        g.fillStyle = side === "agent" ? COLORS.agent : (side === "customer" ? COLORS.customer : COLORS.line);
        var step = width / Math.max(1, values.length);
        values.forEach(function (v, i) {
          var h = Math.max(1, v * (middle - 2));
          if (side === "mixed") g.fillRect(i * step, middle - h, Math.max(1, step - 0.5), 2 * h);
          else g.fillRect(i * step, sign < 0 ? middle - h : middle, Math.max(1, step - 0.5), h);
        });
      });
    }
    g.fillStyle = COLORS.line;
    g.fillRect(0, middle, width, Math.max(1, ratio));
    if (duration > 0) {
      g.fillStyle = COLORS.head;
      g.fillRect(this.audio.currentTime / duration * width, 0, Math.max(2, 2 * ratio), height);
    }
  };

  var players = [];
  document.querySelectorAll(".recording-player[data-peaks]").forEach(function (root) {
    if (root.querySelector("audio")) players.push(new Player(root));
  });
  document.addEventListener("keydown", function (e) {
    if (!players.length || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    // only with the focus inside a player: a single letter typed on another control (a
    // link, the evaluation form) is no shortcut (WCAG 2.1.4). With no control focused at
    // all (the page itself) the letter can mean nothing else: the page's only player.
    var nothingFocused = !t || t === document.body || t === document.documentElement;
    var player = players.find(function (p) { return p.root.contains(t); }) ||
      (nothingFocused && players.length === 1 ? players[0] : null);
    if (!player) return;
    if (e.key === "k" || e.key === "K") { player.toggle(); e.preventDefault(); }
    else if (e.key === "j" || e.key === "J") { player.seek(-STEP); e.preventDefault(); }
    else if (e.key === "l" || e.key === "L") { player.seek(STEP); e.preventDefault(); }
  });
  window.omnikpiPlayers = players;
})();
