(function (app) {
  "use strict";

  if (!app.M) { return; }  // no site model: nothing to do
  // from the files before this one
  var Alert = app.Alert, CELL_MEASURES = app.CELL_MEASURES, CODES = app.CODES,
      Chart = app.Chart, DIMS = app.DIMS, FILTERS = app.FILTERS, FURTHER = app.FURTHER,
      Fmt = app.Fmt, KPI = app.KPI, M = app.M, PRIMARY_MEASURES = app.PRIMARY_MEASURES,
      ROAS = app.ROAS, SEM = app.SEM, Selection = app.Selection, Table = app.Table,
      activeDims = app.activeDims, aggregateFacts = app.aggregateFacts,
      clearMemo = app.clearMemo, decodeResult = app.decodeResult, el = app.el,
      emptyState = app.emptyState, groupValue = app.groupValue, has = app.has,
      keyGetter = app.keyGetter, newGroup = app.newGroup, noteBox = app.noteBox,
      queryString = app.queryString, ratio = app.ratio, resetState = app.resetState,
      short = app.short, state = app.state, unitOf = app.unitOf,
      updateLinks = app.updateLinks;

  // ------------------------------------------------------------- filter bar --

  function Dropdown(dim, onChange) {
    var self = this;
    this.dim = dim;
    this.node = el("div", "dropdown");
    this.button = el("button", "dropdown-button");
    this.button.type = "button";
    this.button.setAttribute("aria-haspopup", "true");
    this.button.setAttribute("aria-expanded", "false");
    this.button.setAttribute("data-filter", dim);
    this.panel = el("div", "dropdown-panel");
    this.panel.hidden = true;
    this.search = el("input", "search");
    this.search.type = "search";
    this.search.placeholder = "Find…";
    this.search.setAttribute("aria-label", "Find a " + SEM.filterLabels[dim].toLowerCase());
    this.list = el("div", "dropdown-list");
    var clear = el("button", "link", "Clear");
    clear.type = "button";
    clear.addEventListener("click", function () { state[dim] = []; onChange(); });
    this.panel.appendChild(this.search);
    this.panel.appendChild(this.list);
    this.panel.appendChild(clear);
    this.node.appendChild(this.button);
    this.node.appendChild(this.panel);
    this.button.addEventListener("click", function (event) {
      event.stopPropagation();
      var open = self.panel.hidden;
      closeDropdowns();
      self.panel.hidden = !open;
      self.button.setAttribute("aria-expanded", String(open));
      if (open) { self.search.value = ""; self.fill(); self.search.focus(); }
    });
    this.panel.addEventListener("click", function (event) { event.stopPropagation(); });
    this.search.addEventListener("input", function () { self.fill(); });
    this.onChange = onChange;
  }

  Dropdown.prototype.label = function () {
    var values = state[this.dim];
    var name = SEM.filterLabels[this.dim];
    this.button.textContent = "";
    this.button.appendChild(el("span", "dropdown-name", name));
    this.button.appendChild(el("span", "dropdown-value", values.length === 0 ? "All" :
      values.length === 1 ? short(values[0], 26) : values.length + " selected"));
    this.node.classList.toggle("active", values.length > 0);
  };

  Dropdown.prototype.fill = function () {
    var self = this, dim = this.dim;
    var text = this.search.value.trim().toLowerCase();
    this.list.textContent = "";
    DIMS[dim].forEach(function (value) {
      var label = String(value);
      if (text && label.toLowerCase().indexOf(text) < 0) { return; }
      var row = el("label", "option");
      var box = el("input");
      box.type = "checkbox";
      box.checked = has(state[dim], label);
      box.addEventListener("change", function () {
        if (box.checked) { if (!has(state[dim], label)) { state[dim].push(label); } }
        else { state[dim] = state[dim].filter(function (v) { return v !== label; }); }
        self.onChange();
      });
      row.appendChild(box);
      row.appendChild(el("span", null, label));
      self.list.appendChild(row);
    });
  };

  var dropdowns = [];
  function closeDropdowns() {
    dropdowns.forEach(function (d) { d.panel.hidden = true; d.button.setAttribute("aria-expanded", "false"); });
  }

  function buildFilterBar(container, fixed, on) {
    container.textContent = "";
    if (!on) {
      container.appendChild(el("span", "muted", "Filters do not apply to this page."));
      return;
    }
    SEM.barFilters.forEach(function (dim) {
      var d = new Dropdown(dim, applyState);
      if (has(fixed, dim)) { d.button.disabled = true; d.button.title = "Fixed on this page"; }
      dropdowns.push(d);
      container.appendChild(d.node);
    });
    var dates = el("div", "dates");
    dates.appendChild(el("span", "dropdown-name", "Dates"));
    ["from", "to"].forEach(function (key) {
      var input = el("input");
      input.type = "date";
      input.min = M.firstDate;
      input.max = M.lastDate || "";
      input.setAttribute("aria-label", key === "from" ? "From date" : "To date");
      input.setAttribute("data-filter", key);
      input.addEventListener("change", function () {
        state[key] = input.value && /^\d{4}-\d{2}-\d{2}$/.test(input.value) ? input.value : null;
        applyState();
      });
      dates.appendChild(input);
      if (key === "from") { dates.appendChild(el("span", "muted", "–")); }
    });
    container.appendChild(dates);
    var chips = el("div", "chips");
    chips.setAttribute("data-chips", "");
    container.appendChild(chips);
    var reset = el("button", "reset", "Reset filters");
    reset.type = "button";
    reset.addEventListener("click", function () { resetState(emptyState()); applyState(); });
    container.appendChild(reset);
    document.addEventListener("click", closeDropdowns);
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") { closeDropdowns(); } });
  }

  // A filter's value as people read it: its label where the filter has labels.
  function shownValue(dim, value) {
    return M.labels[dim] ? M.labels[dim][CODES[dim][value]] : value;
  }

  function refreshFilterBar() {
    dropdowns.forEach(function (d) { d.label(); if (!d.panel.hidden) { d.fill(); } });
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), function (input) {
      input.value = state[input.getAttribute("data-filter")] || "";
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-chips]"), function (box) {
      box.textContent = "";
      // the cross-filters (set by clicking charts) as chips
      FILTERS.filter(function (f) { return !has(SEM.barFilters, f); }).forEach(function (dim) {
        state[dim].forEach(function (value) {
          var chip = el("button", "chip");
          chip.type = "button";
          var shown = shownValue(dim, value);
          chip.appendChild(el("span", "muted", SEM.filterLabels[dim] + ": "));
          chip.appendChild(el("span", null, short(shown, 30)));
          chip.appendChild(el("span", "x", " ✕"));
          chip.title = "Remove this filter";
          chip.addEventListener("click", function () {
            state[dim] = state[dim].filter(function (v) { return v !== value; });
            applyState();
          });
          box.appendChild(chip);
        });
      });
    });
    var any = activeDims(state, []).length > 0;
    Array.prototype.forEach.call(document.querySelectorAll(".reset"), function (b) { b.disabled = !any; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-filter-summary]"), function (p) {
      var parts = [];
      FILTERS.forEach(function (f) {
        if (!state[f].length) { return; }
        var values = state[f].map(function (v) { return shownValue(f, v); });
        parts.push(SEM.filterLabels[f] + ": " + values.join(", "));
      });
      if (state.from || state.to) { parts.push("Dates: " + Fmt.date(state.from || M.firstDate) + " – " + Fmt.date(state.to || M.lastDate)); }
      p.textContent = parts.length ? "Filtered · " + parts.join(" · ") : "";
      p.hidden = !parts.length;
    });
  }

  // ------------------------------------------------------------------- pages --

  var contexts = [];

  function buildContext(article) {
    var block = article.querySelector("script.page-data");
    if (!block) { return null; }
    var data = JSON.parse(block.textContent);
    var specs, queries = data.queries || {};
    if (data.template) {
      var tpl = (window.ROAS_TEMPLATES || {})[data.template];
      if (!tpl) { return null; }
      var body = article.querySelector("[data-template-body]");
      if (body) { body.innerHTML = tpl.body; }  // the template's own markup: no data in it
      specs = tpl.components;
    } else {
      var page = (window.ROAS_PAGES || {})[data.ref] || {};
      specs = page.components || [];
      queries = page.queries || {};
    }
    var ctx = { article: article, root: data.root, title: data.title, fixed: data.fixed || [],
      filtersOn: data.filters !== false, queries: {}, components: [] };
    ctx.filtered = function () { return ctx.filtersOn && activeDims(state, ctx.fixed).length > 0; };
    Object.keys(queries).forEach(function (name) { ctx.queries[name] = decodeResult(name, queries[name]); });
    specs.forEach(function (s) {
      var name = String(s.data);
      if (name.charAt(0) === "@" && FURTHER[name.slice(1)] && !ctx.queries[name]) {
        ctx.queries[name] = datasetResult(name.slice(1));
      }
    });
    specs.forEach(function (spec) {
      var node = article.querySelector('[data-cmp="' + spec.id + '"]');
      if (!node || !ctx.queries[spec.data]) { return; }
      var cmp;
      if (spec.type === "Table") { cmp = new Table(ctx, spec, node); }
      else if (spec.type === "KPI") { cmp = new KPI(ctx, spec, node); }
      else if (spec.type === "Alert") { cmp = new Alert(ctx, spec, node); }
      else { cmp = new Chart(ctx, spec, node); }
      ctx.components.push(cmp);
    });
    return ctx;
  }

  // The rows of a further grain (page dataset `@<grain>`): keys, labels and attributes,
  // measures and the ratios of its measures, as the project declares its columns.
  var datasets = {};
  function datasetResult(name) {
    if (datasets[name]) { return datasets[name]; }
    var grain = FURTHER[name];
    var columns = SEM.grains[name].columns;
    var members = SEM.dimension ? grain.codes(SEM.dimension) : null;
    var getters = {};
    columns.forEach(function (col) { getters[col] = keyGetter(col, grain); });
    var rows = [];
    for (var r = 0; r < grain.n; r++) {
      if (members && members[r] < 0) { continue; }
      var values = {};
      Object.keys(grain.measures).forEach(function (m) { values[m] = grain.measures[m][r]; });
      var row = {};
      columns.forEach(function (col) {
        if (Object.prototype.hasOwnProperty.call(values, col)) { row[col] = values[col]; }
        else if (SEM.ratios[col]) { row[col] = ratio(col, values); }
        else { row[col] = getters[col](r); }
      });
      rows.push(row);
    }
    datasets[name] = { name: "@" + name, uid: name, rows: rows, columns: columns.slice() };
    datasets[name]._keys = { keys: [], ok: false };
    return datasets[name];
  }

  function renderAll() {
    var t0 = performance.now();
    var pending = [];
    ROAS.timings = [];
    contexts.forEach(function (ctx) {
      ctx.components.forEach(function (cmp) {
        try {
          var c0 = performance.now();
          var done = cmp.render();
          ROAS.timings.push([cmp.spec.type, cmp.spec.title || cmp.spec.value || "", Math.round(performance.now() - c0)]);
          if (done && typeof done.then === "function") { pending.push(done); }
        } catch (error) {
          noteBox(cmp.node, ["This component could not be drawn: " + error.message]);
          if (window.console) { window.console.error(error); }
        }
      });
    });
    updateLinks();
    refreshFilterBar();
    return Promise.all(pending).then(function () {
      ROAS.lastUpdateMs = performance.now() - t0;
      ROAS.updates += 1;
      document.documentElement.setAttribute("data-updates", String(ROAS.updates));
    });
  }

  function applyState() {
    clearMemo();
    var search = queryString(state);
    try {
      window.history.replaceState(null, "", window.location.pathname + search + window.location.hash);
    } catch (e) { /* some hosts forbid it: the links still carry the filters */ }
    return renderAll();
  }

  ROAS.setFilters = function (changes) {
    Object.keys(changes).forEach(function (key) {
      if (key === "from" || key === "to") { state[key] = changes[key] || null; }
      else { state[key] = (changes[key] || []).map(String); }
    });
    return applyState();
  };
  ROAS.reset = function () { resetState(emptyState()); return applyState(); };

  // ----------------------------------------------------------------- theme --

  function applyTheme(theme) {
    if (theme === "light" || theme === "dark") {
      document.documentElement.setAttribute("data-theme", theme);
    } else {
      document.documentElement.removeAttribute("data-theme");
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-theme-toggle]"), function (b) {
      b.textContent = "Theme: " + (theme || "auto");
    });
    contexts.forEach(function (ctx) {
      ctx.components.forEach(function (cmp) { if (cmp.retheme) { cmp.retheme(); } });
    });
  }

  function initTheme() {
    var theme = null;
    try { theme = window.localStorage.getItem("roas-theme"); } catch (e) { theme = null; }
    applyTheme(theme);
    Array.prototype.forEach.call(document.querySelectorAll("[data-theme-toggle]"), function (b) {
      b.addEventListener("click", function () {
        var now = document.documentElement.getAttribute("data-theme");
        var next = now === null ? "light" : now === "light" ? "dark" : null;
        try {
          if (next) { window.localStorage.setItem("roas-theme", next); } else { window.localStorage.removeItem("roas-theme"); }
        } catch (e) { /* private mode: the choice lasts for this page */ }
        applyTheme(next);
      });
    });
    if (window.matchMedia) {
      var dark = window.matchMedia("(prefers-color-scheme: dark)");
      if (dark.addEventListener) {
        dark.addEventListener("change", function () { applyTheme(document.documentElement.getAttribute("data-theme")); });
      }
    }
  }

  // ----------------------------------------------------------------- print --

  function resizeCharts() {
    if (!window.Plotly) { return Promise.resolve(); }
    var pending = [];
    contexts.forEach(function (ctx) {
      ctx.components.forEach(function (cmp) {
        if (cmp.drawn) { pending.push(window.Plotly.Plots.resize(cmp.box)); }
      });
    });
    return Promise.all(pending);
  }
  ROAS.resizeCharts = resizeCharts;

  // Print: A4 portrait less 10 mm margins is 718 CSS px; a card's padding and border take
  // 34 of them. beforeprint runs before the print layout exists, so the width is set
  // rather than measured (synchronously: the browser prints right after the event).
  var PRINT_WIDTH = 684;
  var printing = false;
  var resizeTimer = null;
  // Our own resize handling (plotly's `responsive` would undo the print width).
  window.addEventListener("resize", function () {
    if (printing) { return; }
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(resizeCharts, 120);
  });
  function preparePrint() {
    printing = true;
    if (!window.Plotly) { return Promise.resolve(); }
    var pending = [];
    contexts.forEach(function (ctx) {
      ctx.components.forEach(function (cmp) {
        if (cmp.drawn) { pending.push(window.Plotly.relayout(cmp.box, { width: PRINT_WIDTH })); }
      });
    });
    return Promise.all(pending);
  }
  function afterPrint() {
    printing = false;
    if (!window.Plotly) { return; }
    contexts.forEach(function (ctx) {
      ctx.components.forEach(function (cmp) {
        if (cmp.drawn) { window.Plotly.relayout(cmp.box, { width: null, autosize: true }); }
      });
    });
  }
  ROAS.preparePrint = preparePrint;
  window.addEventListener("beforeprint", preparePrint);
  window.addEventListener("afterprint", afterPrint);

  // ------------------------------------------------------------------ init --

  // plotly.min.js (a partial bundle, 1.3 MB) loads asynchronously: tiles and tables show first.
  function whenPlotly(callback) {
    if (window.Plotly) { callback(); return; }
    var tag = document.querySelector("script[data-plotly]");
    if (!tag) { return; }
    tag.addEventListener("load", function () { callback(); });
  }

  function drawPendingCharts() {
    var t0 = performance.now();
    var pending = [];
    contexts.forEach(function (ctx) {
      ctx.components.forEach(function (cmp) {
        if (cmp.pending) {
          var done = cmp.render();
          if (done && typeof done.then === "function") { pending.push(done); }
        }
      });
    });
    return Promise.all(pending).then(function () { return performance.now() - t0; });
  }

  // Stale data are judged when the page is viewed (or on the site's fixed --as-of day),
  // so the same inputs still give the same files.
  function showStaleness() {
    var box = document.querySelector("[data-stale]");
    if (!box || !M.lastDate || typeof M.staleAfter !== "number") { return; }
    var day = function (iso) { return Date.parse(String(iso).slice(0, 10) + "T00:00:00Z"); };
    var days = Math.floor(((M.asOf ? day(M.asOf) : Date.now()) - day(M.lastDate)) / 86400000);
    if (days > M.staleAfter) {
      box.textContent = "Stale data: the latest order is from " + Fmt.date(M.lastDate) + ", " +
        days + " days " + (M.asOf ? "before " + Fmt.date(M.asOf) : "ago") + " (more than " +
        M.staleAfter + "). Rebuild the report before deciding on it.";
      box.hidden = false;
    }
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("article.report-page"), function (article) {
      var ctx = buildContext(article);
      if (ctx) { contexts.push(ctx); }
    });
    var first = contexts[0];
    var bar = document.querySelector("[data-filters]");
    if (bar) {
      var fixed = first ? first.fixed : [];
      buildFilterBar(bar, fixed, document.body.classList.contains("print-page") ? true : (first ? first.filtersOn : true));
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-built]"), function (p) {
      p.textContent = (M.lastDate ? "Data up to " + Fmt.date(M.lastDate) + ". " : "") +
        (M.builtAt ? "Validated " + Fmt.date(M.builtAt) + " " + String(M.builtAt).slice(11, 16) + " UTC" : "");
    });
    showStaleness();
    initTheme();
    renderAll().then(function () {
      ROAS.contentAt = performance.now();  // ms since the navigation started: tiles, tables
      document.documentElement.setAttribute("data-content", "true");
      whenPlotly(function () {
        drawPendingCharts().then(function (chartsMs) {
          ROAS.initialRenderMs = ROAS.lastUpdateMs + chartsMs;
          ROAS.readyAt = performance.now();  // and charts
          ROAS.ready = true;
          document.documentElement.setAttribute("data-ready", "true");
        });
      });
    });
  }

  // Exposed for tests and the benchmark: the cube, without the DOM.
  ROAS.cube = {
    total: function (changes) {
      var s = emptyState();
      Object.keys(changes || {}).forEach(function (k) { s[k] = changes[k]; });
      var g = aggregateFacts(Selection(s, activeDims(s, [])), []).groups[""] || newGroup();
      var out = {};
      // every measure of the primary grain and the cells, the ratios of them, and the
      // values of the unit the selection is (null where it is none)
      PRIMARY_MEASURES.concat(CELL_MEASURES).forEach(function (m) { out[m] = groupValue(m, g, {}); });
      var summed = PRIMARY_MEASURES.concat(CELL_MEASURES);
      Object.keys(SEM.ratios).forEach(function (m) {
        var def = SEM.ratios[m];
        if (def.num.concat([def.den]).every(function (t) { return has(summed, t.replace("-", "")); })) {
          out[m] = groupValue(m, g, {});
        }
      });
      var unit = g.cut ? null : unitOf(g.cells);
      SEM.unitValues.forEach(function (m) { out[m] = unit ? unit[m] : null; });
      return out;
    }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }

  // for the files after this one
  app.applyState = applyState;
})(window.ROAS_APP = window.ROAS_APP || {});
