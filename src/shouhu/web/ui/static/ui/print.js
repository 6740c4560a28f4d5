// 可打印的页面（回执、给监护人的查看记录）：有脚本时才显示“打印”按钮。
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var print = document.querySelector("[data-print]");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
  });
})();
