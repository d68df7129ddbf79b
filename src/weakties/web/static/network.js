// weakties: the ego network in Cytoscape.js, with preset positions computed by the server.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const box = document.getElementById("cy");
  const status = document.getElementById("network-status");
  if (!box || typeof cytoscape === "undefined") {
    if (status) status.textContent = "the network view needs the front-end packages (make web-assets)";
    return;
  }
  const started = performance.now();
  const response = await fetch(box.dataset.src, { credentials: "same-origin" });
  const data = await response.json();
  const colours = { me: "#222", strong: "#1b7f4b", moderate: "#3a7bd5", weak: "#d69e2e", dormant: "#9b59b6", never: "#a0a4ab" };
  // Dunbar layers by contact frequency in the last year, innermost darkest
  const circleColours = { "support clique": "#1b4f72", "sympathy group": "#2e86c1", "affinity group": "#85c1e9", "active network": "#d6eaf8", outside: "#d5d8dc" };
  const gradient = (s) => `hsl(${Math.round(10 + 120 * s)}, 65%, ${Math.round(62 - 20 * s)}%)`;
  const elements = [];
  for (const n of data.nodes) {
    elements.push({ group: "nodes", data: { id: n.id, label: n.label, strength: n.strength, category: n.category, circle: n.circle || "outside", org: n.org, tags: n.tags, me: !!n.me, colour: colours[n.category] || "#888" }, position: { x: n.x, y: n.y } });
  }
  data.edges.forEach((e, i) => elements.push({ group: "edges", data: { id: "e" + i, source: e.source, target: e.target, p: e.p } }));
  const cy = cytoscape({
    container: box,
    elements,
    layout: { name: "preset" },
    textureOnViewport: true,
    hideEdgesOnViewport: true,
    hideLabelsOnViewport: true,
    pixelRatio: 1,
    minZoom: 0.05,
    maxZoom: 4,
    style: [
      { selector: "node", style: { "background-color": "data(colour)", width: "mapData(strength, 0, 1, 8, 22)", height: "mapData(strength, 0, 1, 8, 22)", "border-width": 0 } },
      { selector: "node[?me]", style: { width: 34, height: 34, label: "you", "font-size": 18 } },
      { selector: "node.labelled", style: { label: "data(label)", "font-size": 11, "text-valign": "top", "min-zoomed-font-size": 6 } },
      { selector: "edge", style: { width: 0.6, "line-color": "#c6cbd2", opacity: 0.5, "curve-style": "haystack" } },
      { selector: ".faded", style: { opacity: 0.07 } },
    ],
  });
  cy.nodes().filter((n) => n.data("strength") >= 0.5).addClass("labelled");
  cy.on("tap", "node", (event) => {
    const node = event.target;
    if (!node.data("me")) window.location.href = "/people/" + node.id();
  });
  const colourBy = document.getElementById("colour-by");
  const orgFilter = document.getElementById("filter-org");
  const tagFilter = document.getElementById("filter-tag");
  function recolour() {
    const mode = colourBy.value;
    cy.batch(() => cy.nodes().forEach((n) => {
      if (n.data("me")) return;
      let colour;
      if (mode === "strength") colour = gradient(n.data("strength"));
      else if (mode === "circle") colour = circleColours[n.data("circle")] || "#d5d8dc";
      else colour = colours[n.data("category")] || "#888";
      n.data("colour", colour);
    }));
  }
  function refilter() {
    const org = orgFilter.value, tag = tagFilter.value;
    cy.batch(() => {
      cy.elements().removeClass("faded");
      if (!org && !tag) return;
      const keep = cy.nodes().filter((n) => n.data("me") || ((!org || n.data("org") === org) && (!tag || n.data("tags").includes(tag))));
      cy.elements().not(keep).not(keep.edgesWith(keep)).addClass("faded");
    });
    status.textContent = `${cy.nodes().not(".faded").length - 1} shown`;
  }
  colourBy.addEventListener("change", recolour);
  recolour();
  orgFilter.addEventListener("change", refilter);
  tagFilter.addEventListener("change", refilter);
  status.textContent = `${data.nodes.length - 1} people, ${data.edges.length} ties, drawn in ${Math.round(performance.now() - started)} ms`;
  window.weaktiesNetwork = cy;
});

// The controls filter in place: the form never submits (a handler here, not an inline one).
document.addEventListener("submit", (event) => {
  if (event.target.id === "network-controls") event.preventDefault();
});
