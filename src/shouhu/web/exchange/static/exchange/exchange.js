/* 数据报送页面的小脚本：处理进度轮询、打印回执。纯 fetch，无框架、无 CDN。 */
(function () {
  "use strict";

  function poll(panel) {
    var url = panel.getAttribute("data-status-url");
    var bar = panel.querySelector(".progress");
    var fill = panel.querySelector(".progress-fill");
    var percent = panel.querySelector(".progress-percent");
    var message = panel.querySelector(".job-message");
    var delay = 800;

    function show(data) {
      fill.style.width = data.progress + "%";
      bar.setAttribute("aria-valuenow", String(data.progress));
      percent.textContent = String(data.progress);
      message.textContent = data.status_label + (data.message ? " · " + data.message : "");
    }

    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          show(data);
          if (data.next) { window.location.assign(data.next); return; }
          if (data.status === "failed") { panel.classList.add("job-failed"); return; }
          window.setTimeout(tick, delay);
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.querySelector("[data-status-url]");
    if (panel) { poll(panel); }
  });
})();
