// Goal form: show the KPI or the OKR part for the chosen kind (both are submitted; the service reads the right one).
(function () {
  const kind = document.getElementById("id_kind");
  if (!kind) return;
  const sync = () => document.querySelectorAll("#goal-form [data-kind]").forEach((el) => { el.hidden = el.dataset.kind !== kind.value; });
  kind.addEventListener("change", sync);
  sync();
})();
