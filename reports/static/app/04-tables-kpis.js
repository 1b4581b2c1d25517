(function (app) {
  "use strict";

  if (!app.M) { return; }  // no site model: nothing to do
  // from the files before this one
  var dict = app.dict, CELL_MEASURES = app.CELL_MEASURES, CODES = app.CODES, Fmt = app.Fmt,
      LAST_DAY = app.LAST_DAY, M = app.M, SEM = app.SEM, Selection = app.Selection,
      activeDims = app.activeDims, aggregateFacts = app.aggregateFacts,
      dayOfIso = app.dayOfIso, downloadCsv = app.downloadCsv, el = app.el,
      fileName = app.fileName, groupDigits = app.groupDigits, groupValue = app.groupValue,
      has = app.has, isNum = app.isNum, isoOfDay = app.isoOfDay,
      matchesWhere = app.matchesWhere, newGroup = app.newGroup, queryKeys = app.queryKeys,
      queryString = app.queryString, ratio = app.ratio, routeHref = app.routeHref,
      safeUrl = app.safeUrl, sortRows = app.sortRows, state = app.state,
      unitNamed = app.unitNamed, unitOf = app.unitOf, view = app.view;

  // ------------------------------------------------------------ components --

  function badge(verdict) {
    var span = el("span", "badge badge-" + (verdict ? String(verdict).replace(/[^a-z]/g, "") : "unknown"),
      verdict || "—");
    return span;
  }

  // An estimate the project declares (`estimate`): its interval, its verdict, and where
  // its method says it was assumed, not measured, the band it was assumed in.
  function isAssumed(est, row) {
    var m = row[est.method] !== undefined ? row[est.method] : row[SEM.aliases[est.method]];
    return m === est.assumed_when;
  }

  function assumedBand(est, row, fmt) {
    var lo = row[est.assumed_band[0]];
    return lo !== undefined && lo !== null
      ? Fmt.format(lo, fmt) + "–" + Fmt.format(row[est.assumed_band[1]], fmt) : "";
  }

  function estimateCell(td, row, col, fmt) {
    var est = SEM.estimates[col];
    if (isAssumed(est, row)) {
      td.appendChild(el("span", "assumed", "assumed"));
      var band = assumedBand(est, row, fmt);
      td.appendChild(el("small", "ci", (band ? band + " " : "") + "assumed, not measured"));
      return;
    }
    td.appendChild(document.createTextNode(Fmt.format(row[col], fmt)));
    var lo = row[est.interval[0]];
    if (lo !== undefined && lo !== null) {
      td.appendChild(el("small", "ci", Fmt.format(lo, fmt) + " – " + Fmt.format(row[est.interval[1]], fmt)));
    }
  }

  // the same list as reports/formatting.py NUMERIC_FORMATS
  var NUMERIC = ["money", "money2", "count", "ratio", "percent", "pct", "share", "p", "number", "id"];
  var ADDITIVE = SEM.additive;

  function noteBox(node, notes) {
    var box = node.querySelector(":scope > .cmp-note");
    if (!box) { box = el("p", "cmp-note"); node.appendChild(box); }
    box.textContent = notes.join(" ");
    box.hidden = !notes.length;
  }

  // ---- table

  function Table(ctx, spec, node) {
    this.ctx = ctx; this.spec = spec; this.node = node;
    this.sort = null; this.search = ""; this.page = 0;
    this.size = spec.page_size || 10;
    var tools = el("div", "cmp-tools");
    var self = this;
    if (spec.search !== false) {
      var input = el("input", "search");
      input.type = "search";
      input.placeholder = "Search…";
      input.setAttribute("aria-label", "Search " + (spec.title || "table"));
      input.addEventListener("input", function () { self.search = input.value; self.page = 0; self.render(); });
      tools.appendChild(input);
    }
    this.count = el("span", "count");
    tools.appendChild(this.count);
    if (spec.download !== false) {
      var button = el("button", "csv", "CSV");
      button.type = "button";
      button.title = "Download the rows shown as CSV";
      button.addEventListener("click", function () { self.csv(); });
      tools.appendChild(button);
    }
    node.appendChild(tools);
    this.wrap = el("div", "table-wrap");
    node.appendChild(this.wrap);
    this.foot = el("div", "cmp-foot");
    node.appendChild(this.foot);
  }

  Table.prototype.rows = function () {
    var v = view(this.ctx, this.spec);
    var rows = v.rows;
    var text = this.search.trim().toLowerCase();
    var spec = this.spec;
    if (text) {
      rows = rows.filter(function (row) {
        return spec.columns.some(function (c) {
          var value = row[c.name];
          if (value === null || value === undefined) { return false; }
          var fmt = spec.formats[c.name];
          return String(value).toLowerCase().indexOf(text) >= 0 ||
            Fmt.format(value, fmt).toLowerCase().indexOf(text) >= 0;
        });
      });
    }
    if (this.sort) { rows = sortRows(rows, [this.sort]); }
    return { rows: rows, notes: v.notes };
  };

  Table.prototype.cell = function (row, c) {
    var spec = this.spec;
    var fmt = spec.formats[c.name] || "text";
    var td = el("td");
    var value = row[c.name];
    if (has(NUMERIC, fmt)) { td.className = "num"; }
    var est = SEM.estimates[c.name];
    if (est && (has(Object.keys(row), est.interval[0]) || isAssumed(est, row))) {
      estimateCell(td, row, c.name, fmt);
    } else if (fmt === "verdict") {
      td.appendChild(badge(value));
    } else if (fmt === "url") {
      var href = safeUrl(value);
      if (href) {
        var a = el("a", null, "open ↗");
        a.setAttribute("href", href);
        a.setAttribute("rel", "noopener noreferrer nofollow");
        a.setAttribute("target", "_blank");
        a.setAttribute("data-external", "");
        a.title = String(value);
        td.appendChild(a);
      } else {
        td.appendChild(el("span", "muted unsafe-url", value === null ? "—" : value));
      }
    } else if (spec.link && c.name === spec.link_column) {
      var target = routeHref(this.ctx, spec.link.route, row[spec.link.key]);
      if (target) {
        var link = el("a", null, Fmt.format(value, fmt));
        link.setAttribute("href", target);
        td.appendChild(link);
      } else {
        td.textContent = Fmt.format(value, fmt);
      }
    } else {
      td.textContent = Fmt.format(value, fmt);
      if (fmt === "text" && typeof value === "string" && value.length > 60) { td.className = "long"; }
    }
    return td;
  };

  Table.prototype.render = function () {
    var self = this, spec = this.spec;
    var data = this.rows();
    var rows = data.rows;
    this.current = rows;
    var pages = Math.max(1, Math.ceil(rows.length / this.size));
    if (this.page >= pages) { this.page = pages - 1; }
    var start = this.page * this.size;
    var table = el("table");
    var thead = el("thead");
    var tr = el("tr");
    spec.columns.forEach(function (c) {
      var th = el("th");
      th.setAttribute("scope", "col");
      var fmt = spec.formats[c.name] || "text";
      if (has(NUMERIC, fmt)) { th.className = "num"; }
      var button = el("button", null, c.title);
      button.type = "button";
      if (self.sort && self.sort.col === c.name) {
        th.setAttribute("aria-sort", self.sort.desc ? "descending" : "ascending");
      }
      button.addEventListener("click", function () {
        var desc = self.sort && self.sort.col === c.name ? !self.sort.desc : has(NUMERIC, fmt) && fmt !== "id";
        self.sort = { col: c.name, desc: desc };
        self.render();
      });
      th.appendChild(button);
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el("tbody");
    rows.slice(start, start + this.size).forEach(function (row) {
      var line = el("tr");
      if (spec.flag && matchesWhere(row, spec.flag)) {
        line.className = "flag";
        line.title = spec.flag_label || "flagged";
      }
      spec.columns.forEach(function (c) { line.appendChild(self.cell(row, c)); });
      tbody.appendChild(line);
    });
    table.appendChild(tbody);
    var totals = spec.totals !== false ? this.totals(rows) : null;
    if (totals) { table.appendChild(totals); }
    this.wrap.textContent = "";
    if (!rows.length) {
      this.wrap.appendChild(el("p", "empty", spec.empty && !this.ctx.filtered() && !this.search
        ? spec.empty : "No rows for the current filters" + (this.search ? " and search." : ".")));
    } else {
      this.wrap.appendChild(table);
    }
    this.count.textContent = Fmt.num(rows.length) + (rows.length === 1 ? " row" : " rows");
    this.foot.textContent = "";
    if (spec.flag && rows.some(function (row) { return matchesWhere(row, spec.flag); })) {
      var legend = el("span", "legend");
      legend.appendChild(el("span", "flag-swatch"));
      legend.appendChild(document.createTextNode(" " + (spec.flag_label || "flagged")));
      this.foot.appendChild(legend);
    }
    if (pages > 1) {
      var pager = el("span", "pager");
      var prev = el("button", null, "‹ Prev");
      prev.type = "button";
      prev.disabled = this.page === 0;
      prev.addEventListener("click", function () { self.page--; self.render(); });
      var next = el("button", null, "Next ›");
      next.type = "button";
      next.disabled = this.page >= pages - 1;
      next.addEventListener("click", function () { self.page++; self.render(); });
      pager.appendChild(prev);
      pager.appendChild(el("span", "pages", Fmt.num(start + 1) + "–" +
        Fmt.num(Math.min(rows.length, start + this.size)) + " of " + Fmt.num(rows.length)));
      pager.appendChild(next);
      this.foot.appendChild(pager);
    }
    noteBox(this.node, data.notes);
  };

  Table.prototype.totals = function (rows) {
    var spec = this.spec;
    if (rows.length < 2) { return null; }
    var sums = {};
    var any = false;
    var keys = rows.length ? Object.keys(rows[0]) : [];
    keys.forEach(function (k) {
      if (!has(ADDITIVE, k)) { return; }
      var total = 0, ok = true;
      rows.forEach(function (row) { if (typeof row[k] === "number") { total += row[k]; } else if (row[k] === null && has(CELL_MEASURES, k)) { ok = false; } });
      sums[k] = ok ? total : null;
    });
    var tfoot = el("tfoot");
    var tr = el("tr");
    spec.columns.forEach(function (c, j) {
      var fmt = spec.formats[c.name] || "text";
      var td = el("td", has(NUMERIC, fmt) ? "num" : null);
      var value;
      if (Object.prototype.hasOwnProperty.call(sums, c.name)) {
        value = sums[c.name];
      } else if (SEM.ratios[c.name]) {
        var def = SEM.ratios[c.name];
        var need = def.num.map(function (t) { return t.replace("-", ""); }).concat([def.den]);
        if (need.every(function (t) { return Object.prototype.hasOwnProperty.call(sums, t); })) {
          value = ratio(c.name, sums);
        }
      }
      if (value !== undefined) { td.textContent = Fmt.format(value, fmt); any = true; }
      if (j === 0 && value === undefined) { td.textContent = "Total"; td.className = "total-label"; }
      tr.appendChild(td);
    });
    tfoot.appendChild(tr);
    return any ? tfoot : null;
  };

  Table.prototype.csv = function () {
    var spec = this.spec;
    var rows = this.current || [];
    downloadCsv(fileName(this.ctx, spec), spec.columns.map(function (c) { return c.name; }),
      rows.map(function (row) { return spec.columns.map(function (c) { return row[c.name]; }); }));
  };

  // ---- KPI

  function KPI(ctx, spec, node) {
    this.ctx = ctx; this.spec = spec; this.node = node;
    this.value = node.querySelector(".kpi-value") || node.appendChild(el("div", "kpi-value"));
    this.detail = node.appendChild(el("div", "kpi-detail"));
    this.spark = node.appendChild(el("div", "kpi-spark"));
    this.spark.setAttribute("aria-hidden", "true");
    this.delta = node.appendChild(el("div", "kpi-delta"));
    if (spec.sub) { node.appendChild(el("div", "kpi-sub", spec.sub)); }
    this.note = node.appendChild(el("div", "kpi-note"));
    var trend = spec.trend;
    if (!trend) {
      trend = SEM.trends[spec.value] || "none";
    }
    this.trend = trend;
  }

  // sum="true": rows with the same value of `by` (all rows when no `by`) summed, per column
  function sumRows(rows, by, cols) {
    var order = [], groups = dict();
    rows.forEach(function (row) {
      var key = by ? String(row[by]) : "";
      var g = groups[key];
      if (!g) {
        g = groups[key] = {};
        if (by) { g[by] = row[by]; }
        cols.forEach(function (c) { g[c] = null; });
        order.push(key);
      }
      cols.forEach(function (c) {
        if (typeof row[c] === "number") { g[c] = (g[c] || 0) + row[c]; }
      });
    });
    return order.map(function (k) { return groups[k]; });
  }

  KPI.prototype.render = function () {
    var spec = this.spec;
    var v = view(this.ctx, spec);
    var row = (spec.sum ? sumRows(v.rows, null, [spec.value])[0] : v.rows[0]) || {};
    var value = row[spec.value];
    this.detail.textContent = "";
    this.note.textContent = "";
    var est = SEM.estimates[spec.value];
    if (est) {
      if (isAssumed(est, row)) {
        this.value.textContent = "assumed";
        var band = assumedBand(est, row, spec.fmt);
        this.detail.appendChild(el("span", "assumed", (band ? band + " · " : "") + "assumed, not measured"));
      } else {
        this.value.textContent = Fmt.format(value, spec.fmt);
        var lo = row[est.interval[0]];
        if (lo !== null && lo !== undefined) {
          this.detail.appendChild(el("span", null, "95% CI " + Fmt.format(lo, spec.fmt) + " – " +
            Fmt.format(row[est.interval[1]], spec.fmt) + " "));
        }
        if (row[est.verdict]) { this.detail.appendChild(badge(row[est.verdict])); }
        if ((value === null || value === undefined) && v.dims.length) {
          this.note.textContent = SEM.cellNotes.unit_short;
          if (SEM.unitLink) {
            var link = el("a", null, SEM.unitLink.text);
            link.setAttribute("href", this.ctx.root + SEM.unitLink.page + ".html" + queryString(state));
            this.note.appendChild(link);
          }
        }
      }
    } else {
      var fmt = spec.fmt;
      this.value.textContent = fmt === "money" ? Fmt.moneyCompact(value) : Fmt.format(value, fmt);
      if (fmt === "money" && value !== null && value !== undefined &&
          Fmt.money(value) !== this.value.textContent) {
        this.detail.textContent = Fmt.money(value);
      }
      if ((value === null || value === undefined) && v.notes.length) {
        this.note.textContent = v.notes[0];
      }
    }
    this.node.title = v.notes.join(" ");
    this.renderTrend(v);
  };

  // Value of the KPI's metric for one group of the primary grain.
  KPI.prototype.metric = function (g) {
    var m = this.spec.value;
    var v = groupValue(m, g, false);
    return v === undefined ? null : v;
  };

  KPI.prototype.renderTrend = function (v) {
    this.spark.textContent = "";
    this.delta.textContent = "";
    this.delta.className = "kpi-delta";
    if (this.trend === "none" || !this.ctx.filtersOn) { return; }
    if (queryKeys(this.ctx.queries[this.spec.data]).keys.length) { return; }  // unit pages
    if (this.trend === "time") { this.timeTrend(); } else { this.unitTrend(unitNamed(this.trend)); }
  };

  KPI.prototype.timeTrend = function () {
    var self = this;
    var dims = activeDims(state, (this.ctx.fixed || []).concat(["date"]));
    var end = state.to ? dayOfIso(state.to) : LAST_DAY;
    var start = state.from ? dayOfIso(state.from) : 0;
    var span = end - start + 1;
    var len = span >= 120 ? 30 : 7;
    var count = Math.min(12, Math.max(2, Math.floor((end + 1) / len)));
    var first = end - count * len + 1;
    var sel = Selection(state, dims, [first, end]);
    var res = aggregateFacts(sel, [], function (grain, r) {
      return String(Math.floor((end - grain.day(r)) / len));
    }, "window:" + end + ":" + len);
    var series = [];
    for (var k = count - 1; k >= 0; k--) {
      var g = res.groups[String(k)] || newGroup();
      series.push({ label: isoOfDay(end - (k + 1) * len + 1) + " – " + isoOfDay(end - k * len), value: this.metric(g) });
    }
    drawSpark(this.spark, series.map(function (s) { return s.value; }));
    var current, previous, label;
    if (state.from || state.to) {
      var cur = aggregateFacts(Selection(state, dims, [start, end]), []).groups[""] || newGroup();
      var prevSel = Selection(state, dims, [start - span, start - 1]);
      var prev = aggregateFacts(prevSel, []).groups[""] || newGroup();
      current = self.metric(cur);
      previous = start - span >= 0 ? self.metric(prev) : null;
      label = "vs the previous " + span + " days";
    } else {
      current = series[series.length - 1].value;
      previous = series.length > 1 ? series[series.length - 2].value : null;
      label = "last " + len + " days vs the " + len + " before";
    }
    this.showDelta(current, previous, label);
  };

  // Over the units of a declared sequence (a launch after another ...), in its order.
  KPI.prototype.unitTrend = function (unit) {
    if (!unit || !unit.sequence || unit.keys.length !== 1) { return; }
    var dim = unit.keys[0];
    var starts = {};  // code of the unit's filter -> its place in the sequence
    M.units.forEach(function (u) {
      if (u.name !== unit.name) { return; }
      u.keys[dim].forEach(function (code, i) { starts[code] = unit.sequence[i]; });
    });
    var dims = activeDims(state, this.ctx.fixed || []);
    var sel = Selection(state, dims);
    var res = aggregateFacts(sel, [SEM.dimensionColumns[dim]]);
    var self = this;
    var list = [];
    Object.keys(res.groups).forEach(function (key) {
      var startDate = starts[CODES[dim][key]];
      if (!startDate) { return; }  // a unit out of the sequence (no dates)
      var g = res.groups[key];
      var u = g.cut ? null : unitOf(g.cells);
      list.push({ name: key, start: startDate, g: g, unit: u });
    });
    list.sort(function (a, b) { return a.start < b.start ? -1 : a.start > b.start ? 1 : a.name.localeCompare(b.name); });
    var label = SEM.filterLabels[dim].toLowerCase();
    var order = unit.sequenceLabel || "order";
    var est = SEM.estimates[this.spec.value];
    var value = this.spec.value;
    if (est) {
      drawIntervals(this.spark, list.map(function (x) { return x.unit; }), value, est, M.config[est.reference]);
      var n = list.length;
      if (n > 1 && list[n - 1].unit && list[n - 2].unit) {
        this.showDelta(list[n - 1].unit[value], list[n - 2].unit[value], "latest " + label + " vs the one before");
      }
      this.spark.title = (SEM.shortTitles[value] || value) + " interval of each " + label + ", in " + order;
      return;
    }
    var values = list.map(function (x) { return self.metric(x.g); });
    drawSpark(this.spark, values, true);
    this.spark.title = "per " + label + ", in " + order;
    var m = values.length;
    if (m > 1) { this.showDelta(values[m - 1], values[m - 2], "latest " + label + " vs the one before"); }
  };

  KPI.prototype.showDelta = function (current, previous, label) {
    if (!isNum(current) || !isNum(previous)) {
      this.delta.textContent = label ? "no earlier period to compare" : "";
      this.delta.className = "kpi-delta muted";
      return;
    }
    var fmt = this.spec.fmt;
    var diff = current - previous;
    // the arrow carries the direction, so the figure is a size: "▼ 62.1%", not "▼ -62.1%"
    var size = Math.abs(diff);
    var text;
    if (fmt === "ratio") {
      text = Fmt.ratio(size);
    } else if (fmt === "percent" || fmt === "pct") {
      text = groupDigits(fmt === "percent" ? size * 100 : size, 1, false) + " pts";
    } else if (previous) {
      text = Fmt.percent(size / Math.abs(previous));
    } else {
      text = "new";
    }
    var good = this.spec.invert ? diff < 0 : diff > 0;
    var arrow = diff > 0 ? "▲ " : diff < 0 ? "▼ " : "";
    this.delta.className = "kpi-delta " + (diff === 0 ? "flat" : good ? "up" : "down");
    this.delta.textContent = arrow + text + " ";
    this.delta.appendChild(el("span", "muted", label));
  };

  var SVG = "http://www.w3.org/2000/svg";

  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  function drawSpark(box, values, dots) {
    var pts = values.map(function (v, i) { return { i: i, v: v }; }).filter(function (p) { return isNum(p.v); });
    if (pts.length < 2) { return; }
    var w = 120, h = 28, pad = 2;
    var min = Math.min.apply(null, pts.map(function (p) { return p.v; }));
    var max = Math.max.apply(null, pts.map(function (p) { return p.v; }));
    var n = values.length;
    function x(i) { return pad + (n === 1 ? 0 : i * (w - 2 * pad) / (n - 1)); }
    function y(v) { return max === min ? h / 2 : h - pad - (v - min) * (h - 2 * pad) / (max - min); }
    var svg = svgEl("svg", { viewBox: "0 0 " + w + " " + h, width: w, height: h, class: "spark" });
    var d = pts.map(function (p, j) { return (j ? "L" : "M") + x(p.i).toFixed(1) + " " + y(p.v).toFixed(1); }).join(" ");
    svg.appendChild(svgEl("path", { d: d, class: "spark-line" }));
    var last = pts[pts.length - 1];
    if (dots) {
      pts.forEach(function (p) { svg.appendChild(svgEl("circle", { cx: x(p.i), cy: y(p.v), r: 1.6, class: "spark-dot" })); });
    }
    svg.appendChild(svgEl("circle", { cx: x(last.i), cy: y(last.v), r: 2.4, class: "spark-end" }));
    box.appendChild(svg);
  }

  function drawIntervals(box, units, value, est, reference) {
    var low = est.interval[0], high = est.interval[1];
    var items = units.filter(function (u) { return u && isNum(u[low]) && isNum(u[high]); });
    if (!items.length) { return; }
    var w = 120, h = 28, pad = 3;
    var lo = Math.min(reference, Math.min.apply(null, items.map(function (u) { return u[low]; })));
    var hi = Math.max(reference, Math.max.apply(null, items.map(function (u) { return u[high]; })));
    function y(v) { return h - pad - (v - lo) * (h - 2 * pad) / ((hi - lo) || 1); }
    var svg = svgEl("svg", { viewBox: "0 0 " + w + " " + h, width: w, height: h, class: "spark" });
    svg.appendChild(svgEl("line", { x1: 0, x2: w, y1: y(reference), y2: y(reference), class: "spark-ref" }));
    var step = (w - 2 * pad) / Math.max(1, units.length - 1);
    units.forEach(function (u, i) {
      if (!u || !isNum(u[low])) { return; }
      var cx = pad + i * step;
      svg.appendChild(svgEl("line", { x1: cx, x2: cx, y1: y(u[low]), y2: y(u[high]),
        class: "spark-ci spark-" + String(u[est.verdict] || "").replace(/[^a-z]/g, "") }));
      svg.appendChild(svgEl("circle", { cx: cx, cy: y(u[value]), r: 1.8, class: "spark-dot" }));
    });
    box.appendChild(svg);
  }

  // ---- Alert with data

  function Alert(ctx, spec, node) { this.ctx = ctx; this.spec = spec; this.node = node; }
  Alert.prototype.render = function () {
    var rows = view(this.ctx, this.spec).rows;
    this.node.hidden = !rows.length;
    Array.prototype.forEach.call(this.node.querySelectorAll(".alert-count"), function (span) {
      span.textContent = Fmt.num(rows.length);
    });
  };

  // for the files after this one
  app.Alert = Alert;
  app.KPI = KPI;
  app.Table = Table;
  app.noteBox = noteBox;
  app.sumRows = sumRows;
})(window.ROAS_APP = window.ROAS_APP || {});
