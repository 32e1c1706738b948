// The console's charts: uPlot over /charts.json, refreshed every 10 s, with shaded windows.
(function () {
  "use strict";
  const root = document.getElementById("charts");
  if (!root || !window.uPlot) return;
  const COLORS = ["#b3261e", "#1f6f3a", "#1d4f91", "#8a5a00", "#6b2f8a", "#00695c", "#5d4037"];
  const SHADE = { chaos: "rgba(179,38,30,0.16)", pending: "rgba(201,134,0,0.16)",
    firing: "rgba(201,134,0,0.32)", incident: "rgba(29,79,145,0.12)" };
  const select = document.getElementById("range");
  let plots = [];

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
  }

  async function refresh() {
    const range = select ? select.value : "15m";
    const response = await fetch(root.dataset.source + "?range=" + encodeURIComponent(range),
      { headers: { "HX-Request": "true", "Accept": "application/json" }, credentials: "same-origin" });
    if (response.ok) draw(await response.json());
  }
  if (select) select.addEventListener("change", refresh);
  refresh();
  setInterval(refresh, 10000);
})();
