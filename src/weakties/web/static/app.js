// weakties: copy buttons, the path target autocomplete, and the plan's reach chart.
"use strict";
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (button) {
    const source = document.querySelector(button.dataset.copy);
    const status = document.getElementById("copy-status");
    const text = source ? source.value || source.textContent : "";
    try {
      await navigator.clipboard.writeText(text);
    } catch (err) {
      source.select();
      document.execCommand("copy");
    }
    if (status) status.textContent = "Copied.";
    return;
  }
  const back = event.target.closest("a[data-back]");
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
    return;
  }
  const pick = event.target.closest("a.suggestion");
  if (pick) {
    event.preventDefault();
    document.getElementById("target-kind").value = pick.dataset.kind;
    document.getElementById("target").value = pick.dataset.value;
    document.getElementById("suggestions").innerHTML = "";
    document.getElementById("path-form").submit();
  }
});

function drawReachChart() {
  const canvas = document.getElementById("reach-chart");
  if (!canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(canvas.dataset.chart);
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: "reach each person adds", data: data.gain, backgroundColor: "#3a7bd5" },
        { type: "line", label: "expected reach, cumulative", data: data.cumulative, borderColor: "#1b7f4b", tension: 0.2 },
        { type: "line", label: "your strongest ties instead", data: data.labels.map(() => data.strongest), borderColor: "#a0a4ab", borderDash: [6, 4], pointRadius: 0 },
      ],
    },
    options: { responsive: true, animation: false, scales: { y: { beginAtZero: true, title: { display: true, text: "people reached" } } } },
  });
}
document.addEventListener("DOMContentLoaded", drawReachChart);

// Strength bars: the width comes from data-width, set here because the pages' CSP allows no
// inline style attributes. Runs on load and on every fragment htmx swaps in.
function sizeBars(root) {
  root.querySelectorAll("[data-width]").forEach((bar) => {
    const width = Math.max(0, Math.min(100, Number(bar.dataset.width) || 0));
    bar.style.width = width + "%";
  });
}
document.addEventListener("DOMContentLoaded", () => sizeBars(document));
document.addEventListener("htmx:load", (event) => sizeBars(event.target));
