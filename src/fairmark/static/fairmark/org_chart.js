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
        // The tooltip is HTML: escape names typed by users.
        tooltip: {
          trigger: "item",
          formatter: (p) => {
            const esc = echarts.format.encodeHTML;
            return p.data.value ? `${esc(p.name)}<br>${esc(p.data.value)}` : esc(p.name);
          },
        },
        series: [{
          type: "tree", data: [root], orient: "TB", top: "5%", bottom: "15%", left: "2%", right: "2%",
          initialTreeDepth: 2, expandAndCollapse: true, symbolSize: 10, roam: true,
          label: {
            position: "top", fontSize: 12,
            formatter: (p) => (p.data.value ? `{name|${p.name}}\n{head|${p.data.value}}` : `{name|${p.name}}`),
            rich: { name: { fontSize: 12, fontWeight: "bold" }, head: { fontSize: 11, color: "#6c757d" } },
          },
          leaves: { label: { position: "bottom", rotate: -90, verticalAlign: "middle", align: "left" } },
        }],
      });
      el.dataset.loaded = "true";
    });
  window.addEventListener("resize", () => chart.resize());
})();
