// Draws the map from the JSON the server embedded; the slider and filters reload the page with new
// query-string filters, so that every map state has its own link. No library but vis-network.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("map-data").textContent);
  const container = document.getElementById("map");
  const nodes = new vis.DataSet(data.nodes);
  const label = new Map(data.nodes.map((n) => [n.id, n.label]));
  const w = data.words;
  for (const e of data.edges) {
    e.title = `${label.get(e.from)} — ${label.get(e.to)}\n${w.weight}: ${e.value}\n${w.years}: ${e.years || "—"}`
      + (e.saidBy ? `\n${w.saidBy} ${e.saidBy}` : "");
  }
  const edges = new vis.DataSet(data.edges);
  const network = new vis.Network(container, { nodes, edges }, data.options);
  window.picMap = { network, nodes, edges, ready: false, clusters: 0 };
  if (data.clusterBy) {
    // Kumu-style clustering: each group becomes one node sized by its members; double-click opens it.
    const names = new Map(data.nodes.map((n) => [n.cluster, n.clusterName]));
    for (const [key, name] of names) {
      const members = data.nodes.filter((n) => n.cluster === key);
      if (members.length < 2) continue;
      network.cluster({
        joinCondition: (n) => n.cluster === key,
        clusterNodeProperties: { id: "cluster:" + key, label: `${name} (${members.length})`, shape: "dot",
          size: 20 + Math.sqrt(members.length) * 6, color: members[0].color,
          title: `${name}: ${members.length}\n${data.words.open}` },
      });
      window.picMap.clusters += 1;
    }
    network.on("doubleClick", (params) => {
      if (params.nodes.length === 1 && network.isCluster(params.nodes[0])) network.openCluster(params.nodes[0]);
    });
  }
  network.once("afterDrawing", () => { window.picMap.ready = true; });
  network.on("click", (params) => {
    if (params.nodes.length === 1 && !network.isCluster(params.nodes[0])) {
      const node = nodes.get(params.nodes[0]);
      if (node && node.url) window.location.href = node.url;
    }
  });
  network.on("hoverNode", () => { container.style.cursor = "pointer"; });
  network.on("blurNode", () => { container.style.cursor = "default"; });

  const form = document.getElementById("filters");
  if (form) {
    // Empty fields stay out of the link, so shared links only say what was chosen.
    form.addEventListener("submit", () => {
      for (const field of form.elements) {
        if (field.name && field.value === "") field.disabled = true;
      }
    });
    for (const select of form.querySelectorAll("select")) {
      select.addEventListener("change", () => form.requestSubmit());
    }
    const slider = document.getElementById("year");
    if (slider) {
      slider.addEventListener("input", () => { document.getElementById("year-shown").textContent = slider.value; });
      slider.addEventListener("change", () => {
        form.elements.from.value = slider.value;
        form.elements.until.value = slider.value;
        form.requestSubmit();
      });
    }
  }

  // Sortable metrics table: click a header to sort, again to reverse.
  const table = document.getElementById("metrics");
  table.querySelectorAll("th").forEach((th, column) => {
    th.tabIndex = 0;
    th.addEventListener("click", () => {
      const numeric = th.dataset.type === "number";
      const descending = th.getAttribute("aria-sort") !== "descending";
      table.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        // a number's own value (`data-value`), not its text in the page's language (0,7333)
        const value = (cell) => (cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent);
        const x = value(a.cells[column]), y = value(b.cells[column]);
        const order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return descending ? -order : order;
      });
      rows.forEach((r) => body.appendChild(r));
    });
  });
})();
