/* 数据比对页面的小脚本：运行中的比对每秒轮询一次进度，完成后刷新本页显示结果。
   纯 fetch，无框架、无 CDN。没有脚本时页面照样可用（手动刷新）。 */
(function () {
  "use strict";

  function poll(row) {
    var url = row.getAttribute("data-status-url");
    var fill = row.querySelector(".cmp-progress-fill");
    var bar = row.querySelector(".cmp-progress");
    var percent = row.querySelector(".cmp-percent");
    var status = row.querySelector(".cmp-status");

    function show(data) {
      if (fill) { fill.style.width = data.progress + "%"; }
      if (bar) { bar.setAttribute("aria-valuenow", String(data.progress)); }
      if (percent) { percent.textContent = String(data.progress); }
      if (status) {
        status.textContent = data.status_label;
        status.className = "cmp-status cmp-status-" + data.status;
      }
    }

    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          show(data);
          if (data.status === "done" || data.status === "failed") {
            window.location.reload();
            return;
          }
          window.setTimeout(tick, 800);
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var rows = document.querySelectorAll("[data-status-url]");
    for (var i = 0; i < rows.length; i += 1) { poll(rows[i]); }
  });
})();
