// Org chart: the department tree as an ECharts tree, collapsible, head's name in the tooltip.
(function () {
  const el = document.getElementById("org-chart");
  if (!el) return;
  const chart = echarts.init(el);
  fetch(el.dataset.source, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      const root = data.roots.length === 1 ? data.roots[0] : { name: "", children: data.roots };
      chart.setOption({
        tooltip: { trigger: "item", formatter: (p) => p.data.value ? `${p.name}<br>${p.data.value}` : p.name },
        series: [{
          type: "tree", data: [root], orient: "TB", top: "5%", bottom: "15%", left: "2%", right: "2%",
          initialTreeDepth: 2, expandAndCollapse: true, symbolSize: 10, roam: true,
          label: { position: "top", fontSize: 12 },
          leaves: { label: { position: "bottom", rotate: -90, verticalAlign: "middle", align: "left" } },
        }],
      });
      el.dataset.loaded = "true";
    });
  window.addEventListener("resize", () => chart.resize());
})();
