// Draws the monthly income and expenditure charts of the fund dashboard (amounts in fen → yuan).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".chart").forEach(function (el) {
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
