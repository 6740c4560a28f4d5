// 证明材料：选好文件后在按钮旁显示文件名（浏览器自带的文件框不随页面语言显示中文，所以隐藏它）。
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
  const chosen = input.closest("form")?.querySelector(".doc-chosen");
  if (chosen) chosen.textContent = input.files?.[0]?.name || chosen.dataset.empty || "";
});
