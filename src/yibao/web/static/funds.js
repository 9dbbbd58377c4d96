// Draws the monthly income and expenditure charts of the fund dashboard (amounts in fen → yuan).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".chart:not(.fan)").forEach(function (el) {
    var months = JSON.parse(el.dataset.months);
    var toYuan = function (xs) { return JSON.parse(xs).map(function (f) { return f / 100; }); };
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [el.dataset.incomeLabel, el.dataset.expenditureLabel] },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value" },
      series: [
        { name: el.dataset.incomeLabel, type: "bar", data: toYuan(el.dataset.income), itemStyle: { color: "#1f6f43" } },
        { name: el.dataset.expenditureLabel, type: "bar", data: toYuan(el.dataset.expenditure), itemStyle: { color: "#9c2f1d" } }
      ]
    });
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
});

// Draws the projection fan charts: the median and the 5–95 and 25–75 percentile bands of the
// year-end balance (amounts in fen → 亿元, 1e10 fen), as stacked bands over the 5th percentile.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".fan").forEach(function (el) {
    var years = JSON.parse(el.dataset.years);
    var q = JSON.parse(el.dataset.fan);
    var yi = function (xs) { return xs.map(function (f) { return f / 1e10; }); };
    var diff = function (a, b) { return a.map(function (v, i) { return (v - b[i]) / 1e10; }); };
    var band = function (name, data, color) {
      return { name: name, type: "line", stack: "fan", symbol: "none", lineStyle: { opacity: 0 },
               areaStyle: { color: color }, itemStyle: { color: color }, data: data };
    };
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [el.dataset.median, el.dataset.outer, el.dataset.inner] },
      xAxis: { type: "category", data: years, boundaryGap: false },
      yAxis: { type: "value", name: el.dataset.unit },
      series: [
        { name: "p5", type: "line", stack: "fan", symbol: "none", lineStyle: { opacity: 0 }, data: yi(q.p5) },
        band(el.dataset.outer, diff(q.p25, q.p5), "rgba(11,79,138,0.18)"),
        band(el.dataset.inner, diff(q.p75, q.p25), "rgba(11,79,138,0.40)"),
        band(el.dataset.outer + " ", diff(q.p95, q.p75), "rgba(11,79,138,0.18)"),
        { name: el.dataset.median, type: "line", symbol: "none", lineStyle: { color: "#0b4f8a", width: 2 }, itemStyle: { color: "#0b4f8a" }, data: yi(q.p50) }
      ]
    });
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
