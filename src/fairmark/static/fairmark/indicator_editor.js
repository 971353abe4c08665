// The indicator editor: show the parameter fields of the chosen scoring rule only. The server renders the
// chosen kind visible already; this follows later changes of the rule select. A file, not inline script,
// because the CSP allows none.
(() => {
  const select = document.querySelector("select[name=rule_kind]");
  if (!select) {
    return;
  }
  const show = () => {
    document.querySelectorAll("[data-rule-kind]").forEach((block) => {
      block.hidden = block.dataset.ruleKind !== select.value;
    });
  };
  select.addEventListener("change", show);
  show();
})();
