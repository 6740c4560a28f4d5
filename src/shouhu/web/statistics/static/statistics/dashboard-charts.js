/* 统计概览的图：读页面里的 <script type="application/json" id="dashboard-charts">（json_script），
   每个 [data-chart] 画一张。图只是表的另一种看法：表就在图下面，读屏和打印用表。
   没有内联脚本和内联事件，内容安全策略（script-src 'self'）不放宽。 */
(function () {
  "use strict";
  var COLORS = ["#1f5fa8", "#2e9d6a", "#c9541e", "#8a5cc2"];

  function series(map, type, extra) {
    return Object.keys(map).map(function (name, i) {
      var s = { name: name, type: type, data: map[name] };
      if (extra) { extra(s, i); }
      return s;
    });
  }

  function base(names, narrow) {
    return {
      color: COLORS,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { hideOverlap: true, rotate: narrow ? 45 : 0 } },
      yAxis: { type: "value", minInterval: 1 }
    };
  }

  var BUILD = {
    trend: function (d, narrow) {
      var o = base(d.months, narrow);
      o.yAxis = [{ type: "value", minInterval: 1, name: "在保" }, { type: "value", minInterval: 1, name: "人次" }];
      o.series = series(d.series, "bar", function (s, i) {
        if (i === 0) { s.type = "line"; s.smooth = true; } else { s.yAxisIndex = 1; }
      });
      return o;
    },
    progress: function (d, narrow) {
      var o = base(d.names, narrow);
      o.series = series(d.series, "bar", function (s) { s.stack = s.name.indexOf("纳") >= 0 ? "enrol" : "exit"; });
      return o;
    },
    completion: function (d, narrow) {
      var o = base(d.names, narrow);
      o.yAxis = { type: "value", max: 100, axisLabel: { formatter: "{value}%" } };
      o.series = series(d.series, "bar");
      return o;
    }
  };

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var narrow = window.matchMedia("(max-width: 640px)").matches;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var key = el.getAttribute("data-chart");
      if (!BUILD[key] || !data[key]) { return; }
      // 先显示出来再画：隐藏着（display: none）时量不出宽度，图会缩成一小条
      el.classList.add("chart-ready");
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(BUILD[key](data[key], narrow));
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
