// Goal map: the year's goals as an ECharts tree, expandable, progress under each name; a click opens the goal.
(function () {
  const el = document.getElementById("goal-map");
  if (!el) return;
  const chart = echarts.init(el);
  const colour = (p) => (p === null ? "#adb5bd" : p >= 100 ? "#198754" : p >= 60 ? "#0d6efd" : "#fd7e14");
  const decorate = (node) => {
    node.value = node.progress === null ? "—" : `${node.progress}%`;
    node.itemStyle = { color: colour(node.progress), borderColor: colour(node.progress) };
    node.children.forEach(decorate);
    return node;
  };
  fetch(el.dataset.source, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      const roots = data.roots.map(decorate);
      const root = roots.length === 1 ? roots[0] : { name: String(data.year), value: "", children: roots, itemStyle: { color: "#6c757d" } };
      chart.setOption({
        tooltip: {
          trigger: "item",
          formatter: (p) => {
            const esc = echarts.format.encodeHTML;
            const owner = p.data.owner ? `<br>${esc(p.data.owner)}` : "";
            return `${esc(p.name)}${owner}<br>${esc(p.data.value || "")}`;
          },
        },
        series: [{
          type: "tree", data: [root], orient: "LR", top: "4%", bottom: "4%", left: "20%", right: "20%",
          initialTreeDepth: 2, expandAndCollapse: true, symbolSize: 12, roam: true,
          // Long titles are cut with an ellipsis (the tooltip and the list below the chart show them whole).
          label: {
            position: "left", verticalAlign: "middle", align: "right", fontSize: 12, width: 220, overflow: "truncate",
            formatter: (p) => `${p.name}  ${p.data.value || ""}`,
          },
          leaves: { label: { position: "right", align: "left", width: 220, overflow: "truncate" } },
        }],
      });
      chart.on("dblclick", (p) => { if (p.data && p.data.url) window.location.href = p.data.url; });
      el.dataset.loaded = "true";
    });
  window.addEventListener("resize", () => chart.resize());
})();
