// 全平台共用的一点脚本（内容安全策略不许内联脚本）：提交前要求确认的表单写 data-confirm="提示语"。
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
