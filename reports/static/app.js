/* Influencer ROAS report: draws the charts and makes tables sortable.
 * Loaded as a file (the Content-Security-Policy forbids inline script); no network. */
(function () {
  "use strict";

  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  // Theme colours come from style.css, so charts follow light and dark mode.
  function theme() {
    var text = cssVar("--text", "#1f2933");
    var muted = cssVar("--muted", "#6b7280");
    var grid = cssVar("--grid", "#e5e7eb");
    var axis = { gridcolor: grid, linecolor: grid, zerolinecolor: grid, tickfont: { color: muted } };
    return {
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: cssVar("--font", "system-ui, sans-serif"), size: 12, color: text },
      hoverlabel: { bgcolor: cssVar("--surface", "#ffffff"), bordercolor: grid, font: { color: text } },
      xaxis: axis,
      yaxis: axis
    };
  }

  function merge(base, extra) {
    var out = {};
    var key;
    for (key in base) { out[key] = base[key]; }
    for (key in extra) {
      var a = out[key];
      var b = extra[key];
      var bothObjects = a && b && typeof a === "object" && typeof b === "object" &&
        !Array.isArray(a) && !Array.isArray(b);
      out[key] = bothObjects ? merge(a, b) : b;
    }
    return out;
  }

  var drawn = [];

  function drawCharts() {
    if (!window.Plotly) { return; }
    var blocks = document.querySelectorAll('script.chart-data[type="application/json"]');
    Array.prototype.forEach.call(blocks, function (block) {
      var target = document.getElementById(block.getAttribute("data-target"));
      if (!target) { return; }
      var figure = JSON.parse(block.textContent);
      var layout = merge(theme(), figure.layout || {});
      window.Plotly.newPlot(target, figure.data || [], layout, {
        displaylogo: false,
        responsive: true,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "sendDataToCloud"]
      });
      drawn.push({ target: target, layout: figure.layout || {} });
    });
  }

  function retheme() {
    drawn.forEach(function (chart) {
      window.Plotly.relayout(chart.target, merge(theme(), chart.layout));
    });
  }

  // --- sortable tables: click (or Enter on) a header button ---------------

  function sortKey(cell, numeric) {
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (raw === "" || raw === "—") { return null; }
    if (numeric) {
      var n = parseFloat(raw.replace(/,/g, ""));
      return isNaN(n) ? null : n;
    }
    return raw.toLowerCase();
  }

  function sortTable(table, th) {
    var headers = Array.prototype.slice.call(th.parentNode.children);
    var column = headers.indexOf(th);
    var numeric = th.getAttribute("data-type") === "num";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      return { row: row, index: index, key: sortKey(row.cells[column], numeric) };
    });
    rows.sort(function (a, b) {
      if (a.key === null || b.key === null) {  // missing values always last
        return (a.key === null) - (b.key === null) || a.index - b.index;
      }
      var order = numeric ? a.key - b.key : a.key.localeCompare(b.key);
      return (ascending ? order : -order) || a.index - b.index;
    });
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.forEach(function (item) { body.appendChild(item.row); });
  }

  function initTables() {
    var tables = document.querySelectorAll("table.sortable");
    Array.prototype.forEach.call(tables, function (table) {
      if (!table.tHead || !table.tBodies.length) { return; }
      table.tHead.addEventListener("click", function (event) {
        var th = event.target.closest("th");
        if (th && table.tHead.contains(th)) { sortTable(table, th); }
      });
    });
  }

  function init() {
    initTables();
    drawCharts();
    if (dark && dark.addEventListener) { dark.addEventListener("change", retheme); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
