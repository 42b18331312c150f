// Draws each dashboard chart from the JSON beside it; the table next to it has the same figures.
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var palette = ["#1f6feb", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490"];

  function option(spec) {
    var base = { color: palette, animation: false, tooltip: { trigger: "item" },
                 legend: { top: 0, type: "scroll" }, grid: { left: 48, right: 16, top: 40, bottom: 60, containLabel: true } };
    if (spec.type === "pie") {
      base.series = [{ type: "pie", radius: ["35%", "65%"], top: 30,
        data: spec.labels.map(function (label, i) { return { name: label, value: spec.series[0].data[i] }; }) }];
      return base;
    }
    if (spec.type === "map") {
      var max = spec.points.reduce(function (m, p) { return Math.max(m, p[2]); }, 1);
      base.legend = { show: false };
      base.tooltip = { trigger: "item", formatter: function (p) { return p.data[3] + ": " + p.data[2]; } };
      base.xAxis = { type: "value", scale: true, name: "E", axisLabel: { formatter: "{value}°" } };
      base.yAxis = { type: "value", scale: true, name: "N", axisLabel: { formatter: "{value}°" } };
      base.visualMap = { min: 0, max: max, dimension: 2, orient: "horizontal", left: "center", bottom: 0,
                         text: [String(max), "0"], calculable: true, inRange: { color: ["#dbeafe", "#1e3a8a"] } };
      base.series = [{ type: "scatter", name: spec.series[0].name, data: spec.points, symbolSize: 8, large: spec.points.length > 2000 }];
      return base;
    }
    base.tooltip = { trigger: "axis" };
    base.xAxis = { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: spec.labels.length > 4 ? 40 : 0, width: 90, overflow: "truncate" } };
    base.yAxis = { type: "value", minInterval: 1 };
    base.series = spec.series.map(function (s) { return { type: spec.type, name: s.name, data: s.data }; });
    return base;
  }

  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    if (!source) { return; }
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(option(JSON.parse(source.textContent)));
    box.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
