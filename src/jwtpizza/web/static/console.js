// The console's live parts, from a file (the CSP allows no inline script): the charts (uPlot
// over the page's data source, refreshed every 10 s, with shaded windows), and the pages
// watcher (a new page shows a banner, raises a browser notification and beeps).
(function () {
  "use strict";
  const COLORS = ["#b3261e", "#1f6f3a", "#1d4f91", "#8a5a00", "#6b2f8a", "#00695c", "#5d4037"];
  const SHADE = { chaos: "rgba(179,38,30,0.16)", pending: "rgba(201,134,0,0.16)",
    firing: "rgba(201,134,0,0.32)", incident: "rgba(29,79,145,0.12)" };

  function shade(windows) {
    return function (u) {
      const ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
      ctx.save();
      for (const w of windows) {
        const kind = w.kind.startsWith("incident") ? "incident" : w.kind;
        const x0 = u.valToPos(Math.max(w.from, u.scales.x.min), "x", true);
        const x1 = u.valToPos(Math.min(w.to, u.scales.x.max), "x", true);
        if (x1 <= x0) continue;
        ctx.fillStyle = SHADE[kind] || SHADE.incident;
        ctx.fillRect(x0, top, x1 - x0, height);
      }
      ctx.restore();
    };
  }

  function charts(root) {
    const select = document.getElementById("range");
    let plots = [];

    function draw(data) {
      plots.forEach(p => p.destroy());
      plots = [];
      const figures = root.querySelectorAll(".chart");
      data.charts.forEach((chart, i) => {
        const box = figures[i].querySelector(".plot");
        const series = [{}].concat(chart.series.map((s, j) => ({
          label: s.label, stroke: s.color || COLORS[j % COLORS.length], width: 2, spanGaps: false })));
        const columns = [chart.times].concat(chart.series.map(s => s.values));
        const labels = data.windows.map(w => w.label).join(", ");
        box.setAttribute("aria-label", chart.title + " chart" + (labels ? "; shaded: " + labels : ""));
        plots.push(new uPlot({
          width: Math.max(260, box.clientWidth || 300), height: 180, series: series,
          axes: [{}, { size: 60 }], hooks: { drawClear: [shade(data.windows)] },
        }, columns, box));
      });
      const names = document.getElementById("series-names");
      if (names && data.charts.length) {
        const latest = s => s.values.filter(v => v !== null).pop();
        names.textContent = data.charts[0].series.map(
          s => s.label + " = " + (latest(s) === undefined ? "no data" : latest(s))).join("; ") || "none";
      }
    }

    async function refresh() {
      const source = root.dataset.source;
      const range = select ? select.value : "5m";
      const url = source + (source.includes("?") ? "&" : "?") + "range=" + encodeURIComponent(range);
      const response = await fetch(url, { headers: { "HX-Request": "true", "Accept": "application/json" },
        credentials: "same-origin" });
      if (response.ok) draw(await response.json());
    }
    if (select) select.addEventListener("change", refresh);
    refresh();
    setInterval(refresh, 10000);
  }

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"]; }
    catch (e) { return ""; }
  }

  function pages(box) {
    const SEEN = "jwtpizza.pagesSeen", ON = "jwtpizza.alertsOn";
    const seen = new Set(JSON.parse(sessionStorage.getItem(SEEN) || "[]"));
    const toggle = document.getElementById("alerts-on");
    let audio = null;
    box.dataset.beeps = "0";
    box.dataset.notified = "0";

    function switchOn() {
      if (!audio && window.AudioContext) audio = new AudioContext();
      if (audio) audio.resume();
      if (window.Notification && Notification.permission === "default") Notification.requestPermission();
      sessionStorage.setItem(ON, "1");
      toggle.textContent = "Page alerts on";
      toggle.setAttribute("aria-pressed", "true");
    }
    if (toggle) {
      toggle.addEventListener("click", switchOn);
      if (sessionStorage.getItem(ON)) switchOn();  // a browser may still hold the sound back
    }

    function beep() {
      if (!audio || audio.state !== "running") return;
      for (const [at, pitch] of [[0, 880], [0.25, 660], [0.5, 880]]) {
        const tone = audio.createOscillator(), gain = audio.createGain();
        tone.frequency.value = pitch;
        gain.gain.value = 0.2;
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + at);
        tone.stop(audio.currentTime + at + 0.18);
      }
      box.dataset.beeps = String(Number(box.dataset.beeps) + 1);
    }

    function notify(page) {
      if (!window.Notification || Notification.permission !== "granted") return;
      try {
        const note = new Notification("Paged: " + page.title,
          { body: "Page #" + page.id + " is waiting for an acknowledgement.", tag: "page-" + page.id });
        note.onclick = function () { window.focus(); window.location.href = "/"; };
        box.dataset.notified = String(Number(box.dataset.notified) + 1);
      } catch (e) { /* a browser that shows notifications only from a service worker */ }
    }

    function show(ringing) {
      box.replaceChildren();
      box.hidden = ringing.length === 0;
      for (const page of ringing) {
        const line = document.createElement("form");
        line.method = "post";
        line.action = "/pages/" + page.id + "/ack";
        line.className = "page-line";
        const text = document.createElement("span");
        text.textContent = "Paged: #" + page.id + " " + page.title;
        const token = document.createElement("input");
        token.type = "hidden"; token.name = "csrf_token"; token.value = csrf();
        const next = document.createElement("input");
        next.type = "hidden"; next.name = "next"; next.value = window.location.pathname;
        const button = document.createElement("button");
        button.className = "button small"; button.type = "submit";
        button.textContent = "Acknowledge page #" + page.id;
        line.append(text, token, next, button);
        box.append(line);
      }
    }

    async function poll() {
      const response = await fetch(box.dataset.source,
        { headers: { "HX-Request": "true", "Accept": "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const ringing = (await response.json()).filter(p => p.status === "triggered");
      show(ringing);
      const fresh = ringing.filter(p => !seen.has(p.id));
      if (fresh.length) {
        fresh.forEach(p => { seen.add(p.id); notify(p); });
        beep();
        sessionStorage.setItem(SEEN, JSON.stringify([...seen]));
      }
    }
    poll();
    setInterval(poll, 3000);
  }

  const root = document.getElementById("charts");
  if (root && window.uPlot) charts(root);
  const box = document.getElementById("paged");
  if (box) pages(box);
})();
