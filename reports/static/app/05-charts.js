(function (app) {
  "use strict";

  if (!app.M) { return; }  // no site model: nothing to do
  // from the files before this one
  var dict = app.dict, CELL_MEASURES = app.CELL_MEASURES, CODES = app.CODES,
      CURRENCY = app.CURRENCY, Fmt = app.Fmt, M = app.M,
      PRIMARY_MEASURES = app.PRIMARY_MEASURES, SEM = app.SEM, Selection = app.Selection,
      activeDims = app.activeDims, aggregateFacts = app.aggregateFacts,
      compare = app.compare, downloadCsv = app.downloadCsv, el = app.el, esc = app.esc,
      fileName = app.fileName, groupValue = app.groupValue, has = app.has,
      isNum = app.isNum, newGroup = app.newGroup, noteBox = app.noteBox, short = app.short,
      sortRows = app.sortRows, state = app.state, sumRows = app.sumRows, view = app.view;

  // ---- charts

  var PALETTE = ["#2f6fde", "#e8833a", "#2a9d8f", "#9b5de5", "#d1495b", "#8d99ae", "#f4a259",
    "#43aa8b", "#577590", "#b5838d"];
  var VERDICT_COLOURS = { profitable: "#2a9d8f", unprofitable: "#d1495b", inconclusive: "#8d99ae",
    assumed: "#b08d57" };

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function themeLayout() {
    var text = cssVar("--text", "#1f2933");
    var muted = cssVar("--muted", "#6b7280");
    var grid = cssVar("--grid", "#e5e7eb");
    // No automargin: it costs plotly extra layout passes on every redraw; margins are
    // computed from the labels instead (labelMargin).
    var axis = { gridcolor: grid, linecolor: grid, zerolinecolor: grid, tickfont: { color: muted },
      title: { font: { color: muted, size: 12 } } };
    return {
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: cssVar("--font", "system-ui, sans-serif"), size: 12, color: text },
      hoverlabel: { bgcolor: cssVar("--surface", "#ffffff"), bordercolor: grid, font: { color: text } },
      xaxis: axis, yaxis: JSON.parse(JSON.stringify(axis)),
      margin: { l: 56, r: 16, t: 28, b: 40 },
      legend: { orientation: "h", x: 0, y: 1.02, xanchor: "left", yanchor: "bottom", font: { color: muted } }
    };
  }

  function merge(base, extra) {
    var out = {};
    var key;
    for (key in base) { out[key] = base[key]; }
    for (key in extra) {
      var a = out[key], b = extra[key];
      out[key] = a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) &&
        !Array.isArray(b) ? merge(a, b) : b;
    }
    return out;
  }

  // Room for category labels of at most `chars` characters (12 px system font).
  function labelMargin(labels, limit) {
    var longest = 0;
    labels.forEach(function (t) { longest = Math.max(longest, String(t).length); });
    return Math.min(limit || 220, 16 + Math.ceil(6.6 * Math.min(longest, 40)));
  }

  function niceStep(span, ticks) {
    var raw = span / (ticks || 5);
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var mults = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < mults.length; i++) { if (mults[i] * power >= raw) { return mults[i] * power; } }
    return 10 * power;
  }

  function axisFor(values, fmt) {
    var nums = values.filter(isNum);
    if (fmt !== "money" || !nums.length) {
      var axis = {};
      if (fmt === "pct") { axis.ticksuffix = "%"; }
      if (fmt === "percent") { axis.tickformat = ".0%"; }
      return axis;
    }
    var low = Math.min(0, Math.min.apply(null, nums)), high = Math.max(0, Math.max.apply(null, nums));
    if (high === low) { return { tickprefix: CURRENCY }; }
    var step = niceStep(high - low);
    var first = Math.floor(low / step);
    var ticks = [];
    for (var i = 0; i <= Math.ceil(high / step) - first; i++) { ticks.push((first + i) * step); }
    return { tickmode: "array", tickvals: ticks, ticktext: Fmt.moneyAxis(ticks), rangemode: "tozero" };
  }

  function Chart(ctx, spec, node) {
    this.ctx = ctx; this.spec = spec; this.node = node;
    var cap = node.querySelector("figcaption");
    var tools = el("span", "cmp-tools");
    var self = this;
    var button = el("button", "csv", "CSV");
    button.type = "button";
    button.title = "Download the chart's data as CSV";
    button.addEventListener("click", function () { self.csv(); });
    tools.appendChild(button);
    if (cap) { cap.appendChild(tools); }
    this.box = el("div", "chart");
    this.box.setAttribute("role", "img");
    this.box.setAttribute("aria-label", spec.title || "chart");
    node.appendChild(this.box);
    this.empty = el("p", "empty");
    this.empty.hidden = true;
    node.appendChild(this.empty);
    this.drawn = false;
  }

  Chart.prototype.ownDims = function () {
    var spec = this.spec, q = this.ctx.queries[spec.data], dims = [];
    if (spec.crossfilter === false) { return dims; }
    var cols = [];
    if (spec.type === "BarChart") { cols = [spec.x]; }
    if (spec.type === "Heatmap") { cols = [spec.x, spec.y]; }
    if (spec.type === "Treemap") { cols = spec.path; }
    cols.forEach(function (col) {
      Object.keys(SEM.dimensionColumns).forEach(function (dim) {
        if (SEM.dimensionColumns[dim] === col && dim !== MEMBER_DIM) { dims.push(dim); }
      });
    });
    if ((spec.type === "BarChart" && spec.x === MEMBER_LABEL) || spec.type === "ScatterChart" ||
        spec.type === "ForestPlot") {
      if (MEMBER_DIM && has(q.columns, MEMBER_COL) && (spec.type !== "ForestPlot" || spec.key === MEMBER_COL)) {
        dims.push(MEMBER_DIM);
      }
    }
    if (spec.type === "ForestPlot" && spec.key && spec.key !== MEMBER_COL) {
      Object.keys(SEM.dimensionColumns).forEach(function (dim) {
        if (SEM.dimensionColumns[dim] === spec.key) { dims.push(dim); }
      });
    }
    return dims;
  };

  Chart.prototype.render = function () {
    var own = this.ownDims();
    var ignoreOwn = this.spec.type === "BarChart" || this.spec.type === "Heatmap" ||
      this.spec.type === "Treemap" ? own : [];
    var v = view(this.ctx, this.spec, ignoreOwn);
    this.rowsShown = v.rows;
    this.own = own;
    var fig = this["figure" + this.spec.type](v.rows);
    noteBox(this.node, v.notes);
    if (!fig || !fig.data.length || !v.rows.length) {
      this.box.hidden = true;
      this.empty.hidden = false;
      this.empty.textContent = this.spec.empty && !this.ctx.filtered() ? this.spec.empty :
        "No data for the current filters.";
      if (this.drawn && window.Plotly) { window.Plotly.purge(this.box); this.drawn = false; }
      return null;
    }
    this.box.hidden = false;
    this.empty.hidden = true;
    if (!window.Plotly) { this.pending = true; return null; }  // drawn when plotly arrives
    this.pending = false;
    var layout = merge(themeLayout(), fig.layout);
    if (this.spec.height) { layout.height = this.spec.height; }
    var config = { displaylogo: false, responsive: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
      toImageButtonOptions: { filename: fileName(this.ctx, this.spec) } };
    var self = this;
    var signature = JSON.stringify([fig, document.documentElement.getAttribute("data-theme")]);
    if (this.drawn && signature === this.signature) { return null; }  // nothing changed
    this.signature = signature;
    var done = window.Plotly.react(this.box, fig.data, layout, config);
    this.layoutSource = fig.layout;
    if (!this.drawn) {
      this.drawn = true;
      this.box.on("plotly_click", function (event) { self.click(event); });
    }
    return done;
  };

  Chart.prototype.retheme = function () {
    this.signature = null;
    if (this.drawn && window.Plotly) {
      window.Plotly.relayout(this.box, merge(themeLayout(), this.layoutSource || {}));
    }
  };

  Chart.prototype.click = function (event) {
    var point = event && event.points && event.points[0];
    if (!point || !point.customdata) { return; }
    var target = point.customdata;
    if (!Array.isArray(target) || target.length < 2 || typeof target[0] !== "string") { return; }
    // customdata: [dimension, value, (dimension, value)...]
    var changes = {};
    for (var j = 0; j + 1 < target.length; j += 2) {
      if (typeof target[j] === "string" && CODES[target[j]]) { changes[target[j]] = String(target[j + 1]); }
    }
    toggleFilters(changes);
  };

  function toggleFilters(changes) {
    var dims = Object.keys(changes);
    if (!dims.length) { return; }
    var same = dims.every(function (d) { return state[d].length === 1 && state[d][0] === changes[d]; });
    dims.forEach(function (d) { state[d] = same ? [] : [changes[d]]; });
    app.applyState();
  }

  function selected(dim, value) {
    return !state[dim].length || has(state[dim], String(value));
  }

  // The filter with a table of its own (its members), its key column and its label.
  var MEMBER_DIM = SEM.dimension;
  var MEMBER_COL = MEMBER_DIM ? SEM.dimensionColumns[MEMBER_DIM] : null;
  var MEMBER_LABEL = Object.keys(SEM.labelColumns).filter(function (c) {
    return SEM.labelColumns[c] === MEMBER_DIM;
  })[0] || null;

  // The configured threshold a flag compares this ratio with (the midpoint of its colours).
  function thresholdOf(col) {
    var flag = Object.keys(SEM.flags).filter(function (f) { return SEM.flags[f].ratio === col; })[0];
    return flag ? M.config[SEM.flags[flag].below] : null;
  }

  function dimOfColumn(col) {
    var found = null;
    Object.keys(SEM.dimensionColumns).forEach(function (d) {
      if (SEM.dimensionColumns[d] === col) { found = d; }
    });
    return found;
  }

  function refValue(ref) {
    if (ref === undefined || ref === null || ref === "") { return null; }
    if (Object.prototype.hasOwnProperty.call(M.config, ref)) { return M.config[ref]; }
    var n = parseFloat(ref);
    return isFinite(n) ? n : null;
  }

  Chart.prototype.fmtOf = function (col, override) {
    return override || this.spec.formats[col] || "number";
  };

  Chart.prototype.figureBarChart = function (rows) {
    var spec = this.spec, self = this;
    if (spec.sum) { rows = sumRows(rows, spec.x, spec.y); }
    var dim = dimOfColumn(spec.x);
    // bars of members named by their label: keyed (and cross-filtered) by the member
    var byMember = !!MEMBER_DIM && spec.x === MEMBER_LABEL && rows.length && rows[0][MEMBER_COL] !== undefined;
    if (byMember) { dim = MEMBER_DIM; }
    var keys = rows.map(function (row) { return byMember ? String(row[MEMBER_COL]) : String(row[spec.x]); });
    var labels = rows.map(function (row) {
      return esc(spec.formats[spec.x] === "date" ? row[spec.x] : short(row[spec.x], 28));
    });
    var cats = byMember ? keys.map(function (k, i) { return k + "\u200b" + i; }) : labels;
    var fmt = this.fmtOf(spec.y[0], spec.fmt);
    var clickable = dim && spec.crossfilter !== false;
    var verdictColours = spec.formats[spec.x] === "verdict";
    var data = spec.y.map(function (col, j) {
      var name = spec.names ? spec.names[j] : col;
      var colour = PALETTE[j % PALETTE.length];
      var opacity = rows.map(function (row, i) {
        return !clickable || selected(dim, keys[i]) ? 1 : 0.3;
      });
      var values = rows.map(function (row) { return row[col]; });
      var trace = {
        type: "bar", name: esc(name),
        x: spec.horizontal ? values : cats, y: spec.horizontal ? cats : values,
        orientation: spec.horizontal ? "h" : "v",
        marker: { color: verdictColours ? rows.map(function (row) { return VERDICT_COLOURS[row[spec.x]] || colour; }) : colour,
          opacity: opacity },
        text: rows.map(function (row) { return esc(row[spec.x]); }), textposition: "none",
        customdata: rows.map(function (row, i) { return clickable ? [dim, keys[i], Fmt.format(row[col], self.fmtOf(col, spec.fmt))] : [null, null, Fmt.format(row[col], self.fmtOf(col, spec.fmt))]; }),
        hovertemplate: "%{text}<br>" + esc(name) + ": %{customdata[2]}<extra></extra>"
      };
      return trace;
    });
    var catAxis = { type: "category", tickmode: "array", tickvals: cats, ticktext: labels };
    if (spec.formats[spec.x] === "date") { catAxis = { type: "date" }; }
    var plain = rows.map(function (row) { return short(row[spec.x], 28); });
    var valueAxis = axisFor([].concat.apply([], spec.y.map(function (col) { return rows.map(function (r) { return r[col]; }); })), fmt);
    var layout = { barmode: spec.stacked ? "stack" : "group", showlegend: spec.y.length > 1 };
    if (spec.horizontal) {
      layout.yaxis = merge(catAxis, { autorange: "reversed" });
      layout.xaxis = valueAxis;
      layout.height = Math.max(260, 60 + 26 * rows.length);
      layout.margin = { l: labelMargin(plain), r: 16, t: 28, b: 36 };
    } else {
      layout.xaxis = catAxis;
      layout.yaxis = valueAxis;
      if (spec.formats[spec.x] !== "date") {
        var angled = rows.length > 6 || plain.join("").length > 60;
        layout.xaxis.tickangle = angled ? -30 : 0;
        var w = labelMargin(plain);  // angled labels extend left of the first bar
        layout.margin = { l: angled ? Math.max(60, Math.ceil(w * 0.8) - 30) : 60, r: 16, t: 28,
          b: angled ? 24 + Math.ceil(w * 0.55) : 40 };
      }
    }
    if (!layout.showlegend) { layout.margin = merge(layout.margin || {}, { t: 12 }); }
    var ref = refValue(spec.reference);
    if (ref !== null) { layout.shapes = [refLine(ref, !spec.horizontal)]; }
    return { data: data, layout: layout };
  };

  function refLine(value, horizontal) {
    var line = { type: "line", xref: horizontal ? "paper" : "x", yref: horizontal ? "y" : "paper",
      line: { color: cssVar("--muted", "#6b7280"), width: 1.5, dash: "dash" } };
    if (horizontal) { line.x0 = 0; line.x1 = 1; line.y0 = value; line.y1 = value; }
    else { line.y0 = 0; line.y1 = 1; line.x0 = value; line.x1 = value; }
    return line;
  }

  Chart.prototype.cumulativeRows = function (rows) {
    // Ratios to date per series: cumulative sums of the primary grain over the cell
    // measures of the whole series.
    var spec = this.spec;
    var dims = activeDims(state, this.ctx.fixed || []);
    if (!dims.length) { return rows; }
    var q = this.ctx.queries[spec.data];
    var series = spec.series;
    var sel = Selection(state, dims.filter(function (d) { return d !== "date"; }));
    var byDay = aggregateFacts(sel, series ? [series, spec.x] : [spec.x]);
    var bySeries = aggregateFacts(sel, series ? [series] : []);
    var keep = dict();
    q.rows.forEach(function (row) { keep[series ? row[series] : ""] = true; });
    var points = [];
    Object.keys(byDay.groups).forEach(function (key) {
      var parts = key.split("\u0001");
      var s = series ? parts[0] : "";
      if (!keep[s]) { return; }
      points.push({ s: s, x: parts[series ? 1 : 0], g: byDay.groups[key] });
    });
    points.sort(function (a, b) { return a.x < b.x ? -1 : a.x > b.x ? 1 : 0; });
    var cum = dict();
    var out = [];
    var notes = false;
    points.forEach(function (p) {
      var c = cum[p.s] || (cum[p.s] = newGroup());
      PRIMARY_MEASURES.forEach(function (m) { c[m] += p.g[m]; });
      var total = bySeries.groups[p.s];
      CELL_MEASURES.forEach(function (m) { c[m] = total && !total.cut ? total[m] : null; });
      c.cut = !total || total.cut;
      if (c.cut) { notes = true; }
      var row = {};
      row[spec.x] = p.x;
      if (series) { row[series] = p.s; }
      spec.y.forEach(function (col) { var v = groupValue(col, c, false); row[col] = v === undefined ? null : v; });
      out.push(row);
    });
    if (state.from || state.to) {
      out = out.filter(function (row) {
        var d = String(row[spec.x]).slice(0, 10);
        return (!state.from || d >= state.from) && (!state.to || d <= state.to);
      });
    }
    this.cumNote = notes;
    return out;
  };

  Chart.prototype.figureLineChart = function (rows) {
    var spec = this.spec;
    if (spec.cumulative) { rows = this.cumulativeRows(rows); }
    var fmt = this.fmtOf(spec.y[0], spec.fmt);
    var groups = dict();
    var order = [];
    rows.forEach(function (row) {
      var s = spec.series ? String(row[spec.series]) : "";
      if (!groups[s]) { groups[s] = []; order.push(s); }
      groups[s].push(row);
    });
    var data = [];
    var self = this;
    order.forEach(function (s, j) {
      var list = groups[s].slice().sort(function (a, b) { return compare(a[spec.x], b[spec.x]); });
      spec.y.forEach(function (col, k) {
        var name = spec.series ? s : (spec.names ? spec.names[k] : col);
        var colour = PALETTE[(j + k) % PALETTE.length];
        var trace = {
          type: "scatter", mode: "lines", name: esc(short(name, 32)),
          x: list.map(function (row) { return row[spec.x]; }),
          y: list.map(function (row) { return row[col]; }),
          line: { color: colour, width: 2 },
          customdata: list.map(function (row) { return Fmt.format(row[col], self.fmtOf(col, spec.fmt)); }),
          hovertemplate: esc(short(name, 40)) + ": %{customdata}<extra></extra>"
        };
        if (spec.area && order.length === 1) { trace.fill = "tozeroy"; trace.fillcolor = "rgba(47,111,222,0.12)"; }
        data.push(trace);
      });
    });
    var all = [].concat.apply([], spec.y.map(function (col) { return rows.map(function (r) { return r[col]; }); }));
    var layout = { xaxis: { type: spec.formats[spec.x] === "date" ? "date" : "-" }, yaxis: axisFor(all, fmt),
      showlegend: data.length > 1, hovermode: data.length > 8 ? "closest" : "x unified" };
    if (data.length > 1) { layout.legend = { orientation: "h", y: -0.18, x: 0, yanchor: "top" }; layout.margin = { b: 90, t: 12 }; layout.height = 440; }
    var ref = refValue(spec.reference);
    if (ref !== null) { layout.shapes = [refLine(ref, true)]; }
    if (!layout.showlegend) { layout.margin = merge(layout.margin || {}, { t: 12 }); }
    return { data: data, layout: layout };
  };

  Chart.prototype.figureScatterChart = function (rows) {
    var spec = this.spec;
    var pts = rows.filter(function (row) { return isNum(row[spec.x]) && isNum(row[spec.y]); });
    var xf = this.fmtOf(spec.x, spec.xfmt), yf = this.fmtOf(spec.y, spec.yfmt);
    var inf = !!MEMBER_DIM && pts.length && pts[0][MEMBER_COL] !== undefined && spec.crossfilter !== false;
    var trace = {
      type: "scatter", mode: "markers",
      x: pts.map(function (r) { return r[spec.x]; }), y: pts.map(function (r) { return r[spec.y]; }),
      text: pts.map(function (r) { return esc(spec.label ? r[spec.label] : ""); }),
      customdata: pts.map(function (r) {
        return [inf ? MEMBER_DIM : null, inf ? String(r[MEMBER_COL]) : null,
          Fmt.format(r[spec.x], xf), Fmt.format(r[spec.y], yf),
          spec.color ? Fmt.format(r[spec.color], spec.formats[spec.color] || "number") : ""];
      }),
      hovertemplate: "%{text}<br>" + esc(titleOf(spec.x)) + ": %{customdata[2]}<br>" +
        esc(titleOf(spec.y)) + ": %{customdata[3]}" + (spec.color ? "<br>" + esc(titleOf(spec.color)) + ": %{customdata[4]}" : "") + "<extra></extra>",
      marker: { size: 8, opacity: pts.map(function (r) { return !inf || selected(MEMBER_DIM, r[MEMBER_COL]) ? 0.85 : 0.25; }),
        line: { width: 0 } }
    };
    if (spec.color && pts.some(function (r) { return typeof r[spec.color] === "string"; })) {
      var cats = [];
      pts.forEach(function (r) { if (!has(cats, r[spec.color])) { cats.push(r[spec.color]); } });
      var traces = cats.map(function (cat, j) {
        var own = pts.filter(function (r) { return r[spec.color] === cat; });
        var t = JSON.parse(JSON.stringify(trace));
        var idx = own.map(function (r) { return pts.indexOf(r); });
        ["x", "y", "text", "customdata"].forEach(function (k) { t[k] = idx.map(function (i) { return trace[k][i]; }); });
        t.marker.opacity = idx.map(function (i) { return trace.marker.opacity[i]; });
        t.marker.color = PALETTE[j % PALETTE.length];
        t.name = esc(cat);
        return t;
      });
      var lay = { xaxis: merge(axisFor(trace.x, xf), { title: { text: esc(titleOf(spec.x)) } }),
        yaxis: merge(axisFor(trace.y, yf), { title: { text: esc(titleOf(spec.y)) } }),
        showlegend: true, hovermode: "closest", margin: { t: 28, l: 64, b: 52, r: 16 } };
      return { data: traces, layout: lay };
    }
    if (spec.color) {
      var cvals = pts.map(function (r) { return r[spec.color]; });
      var finite = cvals.filter(isNum);
      var mid = thresholdOf(spec.color);
      trace.marker.color = cvals.map(function (v) { return isNum(v) ? v : null; });
      var cmax = finite.length ? quantile(finite, 0.95) : 1;
      trace.marker.colorscale = mid !== null ? [[0, "#d1495b"], [0.5, "#e9c46a"], [1, "#2a9d8f"]] : "Viridis";
      if (mid !== null) { trace.marker.cmid = mid; trace.marker.cmin = 0; trace.marker.cmax = Math.max(cmax, mid * 2); }
      trace.marker.colorbar = { title: { text: esc(titleOf(spec.color)), side: "right" }, thickness: 10, len: 0.8 };
    } else {
      trace.marker.color = PALETTE[0];
    }
    var layout = { xaxis: merge(axisFor(trace.x, xf), { title: { text: esc(titleOf(spec.x)) } }),
      yaxis: merge(axisFor(trace.y, yf), { title: { text: esc(titleOf(spec.y)) } }),
      showlegend: false, hovermode: "closest", margin: { t: 12, l: 72, b: 52, r: 16 } };
    if (spec.reference === "diagonal" && pts.length) {
      var top = Math.max(Math.max.apply(null, trace.x), Math.max.apply(null, trace.y));
      layout.shapes = [{ type: "line", x0: 0, y0: 0, x1: top, y1: top, line: { color: cssVar("--muted", "#6b7280"), width: 1.5, dash: "dash" } }];
    }
    return { data: [trace], layout: layout };
  };

  function quantile(values, q) {
    var s = values.slice().sort(function (a, b) { return a - b; });
    return s[Math.min(s.length - 1, Math.floor(q * s.length))];
  }

  function titleOf(col) {
    return SEM.shortTitles[col] || col.replace(/_/g, " ");
  }

  Chart.prototype.figureHeatmap = function (rows) {
    var spec = this.spec;
    var xs = [], ys = [];
    rows.forEach(function (r) {
      if (!has(xs, r[spec.x])) { xs.push(r[spec.x]); }
      if (!has(ys, r[spec.y])) { ys.push(r[spec.y]); }
    });
    var fmt = this.fmtOf(spec.value, spec.fmt);
    var z = ys.map(function () { return xs.map(function () { return null; }); });
    var text = ys.map(function () { return xs.map(function () { return ""; }); });
    var custom = ys.map(function (y) { return xs.map(function (x) { return [null, null]; }); });
    var xdim = dimOfColumn(spec.x), ydim = dimOfColumn(spec.y);
    rows.forEach(function (r) {
      var i = ys.indexOf(r[spec.y]), j = xs.indexOf(r[spec.x]);
      z[i][j] = isNum(r[spec.value]) ? r[spec.value] : null;
      text[i][j] = Fmt.format(r[spec.value], fmt);
      custom[i][j] = spec.crossfilter === false ? [null, null] :
        [xdim, String(r[spec.x]), ydim, String(r[spec.y])];
    });
    var mid = spec.midpoint !== undefined ? parseFloat(spec.midpoint) : null;
    var trace = {
      type: "heatmap", x: xs.map(esc), y: ys.map(esc), z: z, text: text, customdata: custom,
      texttemplate: "%{text}", hovertemplate: "%{y} · %{x}: %{text}<extra></extra>",
      colorscale: mid !== null ? [[0, "#d1495b"], [0.5, "#f1f1e6"], [1, "#2a9d8f"]] : "Blues",
      xgap: 2, ygap: 2, showscale: true, colorbar: { thickness: 10, len: 0.8 }
    };
    if (mid !== null) {
      var finite = [].concat.apply([], z).filter(isNum);
      var span = finite.length ? Math.max.apply(null, finite.map(function (v) { return Math.abs(v - mid); })) : 1;
      trace.zmid = mid; trace.zmin = mid - span; trace.zmax = mid + span;
    }
    var self = this;
    var shapes = [];
    if (xdim && ydim && (state[xdim].length || state[ydim].length)) {
      rows.forEach(function (r) {
        if (selected(xdim, r[spec.x]) && selected(ydim, r[spec.y])) {
          var i = ys.indexOf(r[spec.y]), j = xs.indexOf(r[spec.x]);
          shapes.push({ type: "rect", x0: j - 0.5, x1: j + 0.5, y0: i - 0.5, y1: i + 0.5,
            line: { color: cssVar("--text", "#111"), width: 2 } });
        }
      });
    }
    void self;
    return { data: [trace], layout: { xaxis: { type: "category", side: "top" },
      yaxis: { type: "category", autorange: "reversed" },
      margin: { t: 36, l: labelMargin(ys), r: 16, b: 16 },
      height: Math.max(240, 60 + 34 * ys.length), shapes: shapes, showlegend: false } };
  };

  Chart.prototype.figureTreemap = function (rows) {
    var spec = this.spec;
    var ids = [], labels = [], parents = [], values = [], custom = [];
    var seen = dict();
    var fmt = this.fmtOf(spec.value, spec.fmt);
    rows.forEach(function (r) {
      var path = [];
      spec.path.forEach(function (col, depth) {
        path.push(String(r[col]));
        var id = path.join("\u0001");
        var dim = dimOfColumn(col);
        if (!seen[id]) {
          seen[id] = { i: ids.length };
          ids.push(id.replace(/\u0001/g, " / "));
          labels.push(esc(r[col]));
          parents.push(depth ? path.slice(0, -1).join(" / ") : "");
          values.push(0);
          custom.push([dim, String(r[col]), ""]);
        }
        if (depth === spec.path.length - 1) { values[seen[id].i] += isNum(r[spec.value]) ? r[spec.value] : 0; }
      });
    });
    // parents' values are the sums of their children ("total" branch values)
    for (var j = ids.length - 1; j >= 0; j--) {
      var p = parents[j];
      if (p) { var pi = ids.indexOf(p); if (pi >= 0) { values[pi] += values[j]; } }
    }
    custom.forEach(function (c, i) { c[2] = Fmt.format(values[i], fmt); });
    return { data: [{ type: "treemap", ids: ids.map(esc), labels: labels, parents: parents.map(esc), values: values,
      branchvalues: "total", customdata: custom, textinfo: "label",
      hovertemplate: "%{label}: %{customdata[2]}<extra></extra>",
      marker: { colors: values.map(function (_, i) { return PALETTE[i % PALETTE.length]; }) } }],
      layout: { margin: { t: 8, l: 8, r: 8, b: 8 }, height: 380 } };
  };

  Chart.prototype.figureForestPlot = function (rows) {
    var spec = this.spec;
    var ref = refValue(spec.reference);
    var methodCol = spec.method;
    var keyCol = spec.key || null;
    var keyDim = keyCol ? dimOfColumn(keyCol) : null;
    // the estimate's declaration, else that of the estimate whose method column it shows
    var declared = SEM.estimates[spec.estimate] || Object.keys(SEM.estimates).map(function (k) {
      return SEM.estimates[k];
    }).filter(function (e) { return e.method === methodCol || SEM.aliases[e.method] === methodCol; })[0];
    var assumedWhen = declared ? declared.assumed_when : null;
    var what = titleOf(spec.estimate);
    var measured = rows.filter(function (r) {
      return !(methodCol && r[methodCol] === assumedWhen) && isNum(r[spec.estimate]);
    });
    var modelled = rows.filter(function (r) { return methodCol && r[methodCol] === assumedWhen; });
    if (!spec.sort) {
      measured = sortRows(measured, [{ col: spec.estimate, desc: false }]);
    }
    var many = measured.length + modelled.length > 40;
    var labelsOf = function (list) { return list.map(function (r) { return esc(short(r[spec.label], 36)); }); };
    var idsOf = function (list, offset) { return list.map(function (r, i) { return (keyCol ? String(r[keyCol]) : String(i + offset)) + "\u200b" + (i + offset); }); };
    var data = [];
    var cats = idsOf(measured, 0).concat(idsOf(modelled, measured.length));
    var ticks = labelsOf(measured).concat(labelsOf(modelled));
    var byVerdict = {};
    measured.forEach(function (r, i) {
      var v = spec.verdict ? r[spec.verdict] || "unknown" : "estimate";
      (byVerdict[v] = byVerdict[v] || []).push({ r: r, cat: cats[i] });
    });
    var drawOrder = ["inconclusive", "estimate", "unknown", "unprofitable", "profitable"];
    Object.keys(byVerdict).sort(function (a, b) {
      return drawOrder.indexOf(a) - drawOrder.indexOf(b);
    }).forEach(function (v) {
      var list = byVerdict[v];
      var colour = VERDICT_COLOURS[v] || PALETTE[0];
      var est = list.map(function (p) { return p.r[spec.estimate]; });
      var plus = list.map(function (p) { return isNum(p.r[spec.high]) ? p.r[spec.high] - p.r[spec.estimate] : null; });
      var minus = list.map(function (p) { return isNum(p.r[spec.low]) ? p.r[spec.estimate] - p.r[spec.low] : null; });
      var trace = {
        type: "scatter", mode: "markers", name: esc(v),
        marker: { color: colour, size: many ? 4 : 8,
          opacity: list.map(function (p) { return !keyDim || selected(keyDim, p.r[keyCol]) ? 1 : 0.25; }) },
        text: list.map(function (p) { return esc(p.r[spec.label]); }),
        customdata: list.map(function (p) {
          return [keyDim, keyCol ? String(p.r[keyCol]) : null, Fmt.ratio(p.r[spec.estimate]),
            Fmt.ratio(p.r[spec.low]) + " – " + Fmt.ratio(p.r[spec.high])];
        }),
        hovertemplate: "%{text}<br>" + esc(what) + " %{customdata[2]} (95% CI %{customdata[3]})<extra>" + esc(v) + "</extra>"
      };
      var faint = many && v === "inconclusive";
      var err = { type: "data", array: plus, arrayminus: minus,
        color: faint ? "rgba(141,153,174,0.45)" : colour, thickness: many ? 1 : 1.5, width: many ? 0 : 3 };
      if (many) { trace.x = list.map(function (p) { return p.cat; }); trace.y = est; trace.error_y = err; }
      else { trace.y = list.map(function (p) { return p.cat; }); trace.x = est; trace.error_x = err; }
      data.push(trace);
    });
    if (modelled.length && spec.band_low && spec.band_high) {
      var mcats = cats.slice(measured.length);
      var lows = modelled.map(function (r) { return r[spec.band_low]; });
      var highs = modelled.map(function (r) { return r[spec.band_high]; });
      var bar = {
        type: "bar", name: "assumed, not measured", base: lows,
        marker: { color: "rgba(176,141,87,0.35)", line: { color: "#b08d57", width: 1 }, pattern: { shape: "/" } },
        text: modelled.map(function (r) { return esc(r[spec.label]); }),
        customdata: modelled.map(function (r) {
          return [keyDim, keyCol ? String(r[keyCol]) : null, Fmt.ratio(r[spec.band_low]) + " – " + Fmt.ratio(r[spec.band_high])];
        }),
        hovertemplate: "%{text}<br>assumed, not measured: %{customdata[2]}<extra></extra>",
        textposition: "none", width: 0.6
      };
      var spans = modelled.map(function (r, i) { return isNum(highs[i]) && isNum(lows[i]) ? highs[i] - lows[i] : null; });
      if (many) { bar.x = mcats; bar.y = spans; } else { bar.y = mcats; bar.x = spans; bar.orientation = "h"; }
      data.push(bar);
    }
    var catAxis = { type: "category", tickmode: "array", tickvals: cats, ticktext: ticks,
      categoryorder: "array", categoryarray: cats };
    var valueAxis = { title: { text: esc(what) + " (95% interval)" }, zeroline: true };
    // Very wide intervals (tiny denominators) would squash the rest: the axis keeps the middle
    // 90% of interval ends and the break-even line; longer whiskers run off the edge.
    var ends = [];
    measured.forEach(function (r) { [r[spec.low], r[spec.high], r[spec.estimate]].forEach(function (v) { if (isNum(v)) { ends.push(v); } }); });
    modelled.forEach(function (r) { [r[spec.band_low], r[spec.band_high]].forEach(function (v) { if (isNum(v)) { ends.push(v); } }); });
    if (ends.length > 8) {
      var lo = quantile(ends, many ? 0.1 : 0.05), hi = quantile(ends, many ? 0.9 : 0.95);
      var all = [Math.min.apply(null, ends), Math.max.apply(null, ends)];
      if (ref !== null) { lo = Math.min(lo, ref); hi = Math.max(hi, ref); }
      var pad = (hi - lo) * 0.08 || 1;
      if (all[0] < lo - pad || all[1] > hi + pad) {
        valueAxis.range = [lo - pad, hi + pad];
        valueAxis.title.text = esc(what) + " (95% interval; the axis is cut at the widest intervals)";
      }
    }
    var layout = { hovermode: "closest", showlegend: true, barmode: "overlay",
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" } };
    if (many) {
      catAxis.showticklabels = false;
      var named = keyDim || dimOfColumn(spec.label) || SEM.labelColumns[spec.label];
      catAxis.title = { text: (named ? SEM.plurals[named] : "rows") + ", ordered by " + esc(what) + " (hover for names)" };
      layout.xaxis = catAxis; layout.yaxis = valueAxis;
      layout.height = spec.height || 480;
    } else {
      catAxis.autorange = "reversed";
      layout.yaxis = catAxis; layout.xaxis = valueAxis;
      layout.height = spec.height || Math.max(220, 90 + 28 * cats.length);
      layout.margin = { l: labelMargin(measured.concat(modelled).map(function (r) {
        return short(r[spec.label], 36); })), r: 16, t: 36, b: 44 };
    }
    if (ref !== null) {
      layout.shapes = [refLine(ref, many)];
      layout.annotations = [many ? { xref: "paper", x: 1, y: ref, yref: "y", text: "break-even " + Fmt.ratio(ref),
        showarrow: false, xanchor: "right", yanchor: "bottom", font: { size: 11, color: cssVar("--muted", "#6b7280") } }
        : { yref: "paper", y: 1, x: ref, xref: "x", text: " break-even " + Fmt.ratio(ref), showarrow: false,
          xanchor: "left", yanchor: "top", font: { size: 11, color: cssVar("--muted", "#6b7280") } }];
    }
    return { data: data, layout: layout };
  };

  Chart.prototype.csv = function () {
    var spec = this.spec;
    var rows = this.rowsShown || [];
    var cols = [];
    ["x", "series", "label", "key", "color", "size", "value", "estimate", "low", "high", "verdict",
      "method", "band_low", "band_high"].forEach(function (a) {
      if (typeof spec[a] === "string" && !has(cols, spec[a])) { cols.push(spec[a]); }
    });
    if (spec.path) { spec.path.forEach(function (c) { if (!has(cols, c)) { cols.push(c); } }); }
    if (Array.isArray(spec.y)) { spec.y.forEach(function (c) { if (!has(cols, c)) { cols.push(c); } }); }
    else if (typeof spec.y === "string" && !has(cols, spec.y)) { cols.push(spec.y); }
    if (spec.cumulative) { rows = this.cumulativeRows(rows); }
    downloadCsv(fileName(this.ctx, spec), cols, rows.map(function (row) {
      return cols.map(function (c) { return row[c]; });
    }));
  };

  // for the files after this one
  app.Chart = Chart;
})(window.ROAS_APP = window.ROAS_APP || {});
