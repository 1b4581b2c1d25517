(function (app) {
  "use strict";

  if (!app.M) { return; }  // no site model: nothing to do
  // from the files before this one
  var dict = app.dict, ATTRS = app.ATTRS, CELL_MEASURES = app.CELL_MEASURES,
      CODES = app.CODES, DIMS = app.DIMS, DISTINCT = app.DISTINCT, Fmt = app.Fmt, M = app.M,
      ROAS = app.ROAS, SEM = app.SEM, Selection = app.Selection,
      activeDims = app.activeDims, aggregateFacts = app.aggregateFacts,
      aggregateFurther = app.aggregateFurther, furtherFor = app.furtherFor,
      groupValue = app.groupValue, has = app.has, isDateColumn = app.isDateColumn,
      keyString = app.keyString, newGroup = app.newGroup, onlyOfGrain = app.onlyOfGrain,
      queryString = app.queryString, recall = app.recall, remember = app.remember,
      state = app.state, unitOf = app.unitOf, usesCells = app.usesCells;

  // ----------------------------------------------------------------- views --

  function dateColumn(columns) {
    for (var j = 0; j < SEM.dateColumns.length; j++) {
      if (has(columns, SEM.dateColumns[j])) { return SEM.dateColumns[j]; }
    }
    return null;
  }

  // The column of the filter an attribute describes, when the rows carry it.
  function ownerColumn(dim, columns) {
    var a = ATTRS[dim];
    var col = a ? SEM.dimensionColumns[a.of] : null;
    return col && has(columns, col) ? col : null;
  }

  function rowDimValue(row, dim, columns) {
    var col = SEM.dimensionColumns[dim];
    if (has(columns, col)) { return row[col]; }
    var owner = ownerColumn(dim, columns);
    if (owner) {
      var code = CODES[ATTRS[dim].of][String(row[owner])];
      return code === undefined ? undefined : DIMS[dim][ATTRS[dim].codes[code]];
    }
    return undefined;
  }

  function expressible(dim, q) {
    if (dim === "date") { return !!dateColumn(q.columns); }
    var col = SEM.dimensionColumns[dim];
    if (has(q.columns, col)) { return true; }
    return !!ownerColumn(dim, q.columns);
  }

  function rowFilter(q, dims) {
    var dcol = dateColumn(q.columns);
    return function (row) {
      for (var j = 0; j < dims.length; j++) {
        var dim = dims[j];
        if (dim === "date") {
          var v = row[dcol];
          if (!v) { return false; }
          v = String(v).slice(0, 10);
          if (state.from && v < state.from) { return false; }
          if (state.to && v > state.to) { return false; }
          continue;
        }
        var value = rowDimValue(row, dim, q.columns);
        if (value === undefined || !has(state[dim], String(value))) { return false; }
      }
      return true;
    };
  }

  function queryKeys(q) {
    if (q._keys) { return q._keys; }
    var keys = [];
    var cols = q.columns;
    Object.keys(SEM.dimensionColumns).forEach(function (dim) {
      var k = SEM.dimensionColumns[dim];
      if (!has(cols, k) || ownerColumn(dim, cols)) { return; }
      var by = M.facts.determined[dim];  // it follows from that key: the key is enough
      if (by && has(cols, SEM.dimensionColumns[by])) { return; }
      keys.push(k);
    });
    var dcol = dateColumn(cols);
    if (dcol) { keys.push(dcol); }
    SEM.timeGrains.forEach(function (t) { if (has(cols, t)) { keys.push(t); } });
    var measures = cols.some(function (c) {
      return isMeasure(c) || SEM.ratios[c] || has(SEM.incrementality, c);
    });
    var seen = dict(), unique = true;
    q.rows.forEach(function (row) {
      var key = keyString(keys.map(function (k) { return row[k]; }));
      if (seen[key]) { unique = false; }
      seen[key] = true;
    });
    // Every number of the rows must be recomputable, or the rows are kept as they are.
    var fixedNumbers = cols.filter(function (c) {
      if (has(keys, c) || recomputable(c)) { return false; }
      return q.rows.some(function (row) { return typeof row[c] === "number" || typeof row[c] === "boolean"; });
    });
    q._keys = { keys: keys, ok: measures && unique && !fixedNumbers.length };
    return q._keys;
  }

  function isMeasure(col) {
    return Object.keys(SEM.grains).some(function (g) { return has(SEM.grains[g].measures, col); });
  }

  function recomputable(col) {
    return isMeasure(col) || !!SEM.ratios[col] || !!SEM.flags[col] ||
      has(SEM.incrementality, col) || has(SEM.attributes, col) ||
      Object.prototype.hasOwnProperty.call(DISTINCT, col);
  }

  // Values of the filter with a table of its own (its members) with selected rows or
  // whole selected cells.
  function membersIn(dims) {
    var sel = Selection(state, dims);
    var set = dict();
    var res = aggregateFacts(sel, [SEM.dimensionColumns[SEM.dimension]]);
    Object.keys(res.groups).forEach(function (key) { set[key] = true; });
    return set;
  }

  function rowKey(row, keys) {
    return keyString(keys.map(function (k) {
      var v = row[k];
      return isDateColumn(k) || has(SEM.timeGrains, k) ? (v ? String(v).slice(0, 10) : v) : v;
    }));
  }

  // Re-aggregate a query's rows from the filterable grain (memoised per query and filters).
  function reaggregate(q, dims, notes) {
    var key = JSON.stringify(["rows", q.uid, dims, state]);
    var hit = recall(key);
    if (!hit) {
      var own = [];
      hit = remember(key, { rows: reaggregateNow(q, dims, own), notes: own });
    }
    hit.notes.forEach(function (n) { notes.push(n); });
    return hit.rows;
  }

  // Whether a further grain carries a filter (a key, or an attribute of a keyed filter).
  function grainCarries(name, dim) {
    var dims = SEM.grains[name].dims;
    return has(dims, dim) || (!!SEM.attributeOf[dim] && has(dims, SEM.attributeOf[dim]));
  }

  var ALIAS_OF = {};  // a column -> the unit value it is an alias of
  Object.keys(SEM.aliases).forEach(function (k) { ALIAS_OF[SEM.aliases[k]] = k; });

  function reaggregateNow(q, dims, notes) {
    var info = queryKeys(q);
    var keys = info.keys;
    var sel = Selection(state, dims);
    var facts = aggregateFacts(sel, keys);
    var further = furtherFor(sel, keys, q.columns);
    var furtherGroups = {};
    Object.keys(further).forEach(function (name) {
      if (further[name]) { aggregateFurther(name, sel, keys, furtherGroups[name] = dict()); }
    });
    var out = [];
    var missing = {};
    q.rows.forEach(function (row) {
      var key = rowKey(row, keys);
      var found = Object.keys(furtherGroups).filter(function (n) { return furtherGroups[n][key]; });
      if (!facts.groups[key] && !found.length) { return; }
      // a view of the shared (memoised) group, with this query's further sums
      var g = Object.create(facts.groups[key] || newGroup());
      g.further = {};
      found.forEach(function (n) { g.further[n] = furtherGroups[n][key]; });
      var unit = g.cut ? null : unitOf(g.cells);
      var next = {};
      q.columns.forEach(function (col) {
        var v = groupValue(col, g, further);
        if (v !== undefined) { next[col] = v; return; }
        if (has(SEM.incrementality, col)) {
          var uk = ALIAS_OF[col] || col;
          next[col] = unit && Object.prototype.hasOwnProperty.call(unit, uk) ? unit[uk] : null;
          if (!unit) { missing["@unit"] = true; }
          return;
        }
        if (has(keys, col) || has(SEM.attributes, col) || typeof row[col] === "string" ||
            row[col] === null) {
          next[col] = row[col];
          return;
        }
        next[col] = null;
        missing[col] = true;
      });
      if (g.cut && q.columns.some(function (c) { return has(CELL_MEASURES, c); })) {
        missing["@cells"] = true;
      }
      out.push(next);
    });
    var cellCols = q.columns.filter(usesCells);
    if (cellCols.length && (missing["@cells"] || facts.meta.cutCells)) {
      notes.push({ cols: cellCols, text: SEM.cellNotes.cut });
    }
    CELL_MEASURES.forEach(function (m) {
      if (cellCols.length && facts.meta.unplaced[m]) {
        notes.push({ cols: cellCols, text: SEM.cellNotes.unplaced.replace("{amount}",
          Fmt.format(facts.meta.unplaced[m], SEM.cellFormats[m])) });
      }
    });
    if (missing["@unit"]) {
      notes.push({ cols: q.columns.filter(function (c) { return has(SEM.incrementality, c); }),
        text: SEM.cellNotes.unit });
    }
    Object.keys(missing).filter(function (c) { return c.charAt(0) !== "@"; }).forEach(function (c) {
      notes.push({ cols: [c], text: "Not recomputed for this filter: " + c.replace(/_/g, " ") + " (—)." });
    });
    Object.keys(further).forEach(function (name) {
      var cols = q.columns.filter(function (c) { return onlyOfGrain(c, name); });
      var lacking = sel.setDims.some(function (d) { return !grainCarries(name, d); });
      if (!further[name] && cols.length && lacking && SEM.grains[name].notes.unsupported) {
        notes.push({ cols: cols, text: SEM.grains[name].notes.unsupported });
      }
    });
    return out;
  }

  function matchesWhere(row, groups) {
    return groups.some(function (conds) {
      return conds.every(function (cond) {
        var v = row[cond.col];
        switch (cond.op) {
          case "truthy": return !!v;
          case "falsy": return !v;
          case "=": return v === cond.value;
          case "!=": return v !== cond.value;
          default:
            if (v === null || v === undefined || cond.value === null) { return false; }
            if (cond.op === "<") { return v < cond.value; }
            if (cond.op === "<=") { return v <= cond.value; }
            if (cond.op === ">") { return v > cond.value; }
            return v >= cond.value;
        }
      });
    });
  }

  function compare(a, b) {
    if (a === b) { return 0; }
    if (a === null || a === undefined) { return 1; }
    if (b === null || b === undefined) { return -1; }
    if (typeof a === "number" && typeof b === "number") { return a - b; }
    if (typeof a === "boolean") { return (a ? 1 : 0) - (b ? 1 : 0); }
    return String(a).localeCompare(String(b));
  }

  function sortRows(rows, keys) {
    var indexed = rows.map(function (row, i) { return { row: row, i: i }; });
    indexed.sort(function (x, y) {
      for (var j = 0; j < keys.length; j++) {
        var a = x.row[keys[j].col], b = y.row[keys[j].col];
        if (a === null || a === undefined || b === null || b === undefined) {
          var nulls = compare(a, b);
          if (nulls) { return nulls; }  // missing values last either way
          continue;
        }
        var c = compare(a, b);
        if (c) { return keys[j].desc ? -c : c; }
      }
      return x.i - y.i;
    });
    return indexed.map(function (x) { return x.row; });
  }

  // The columns a component shows (its notes are about these only).
  function specColumns(spec) {
    var cols = [];
    ["value", "x", "series", "label", "estimate", "low", "high", "color", "size", "verdict",
      "band_low", "band_high", "column"].forEach(function (a) {
      if (typeof spec[a] === "string") { cols.push(spec[a]); }
    });
    ["y", "path"].forEach(function (a) {
      if (Array.isArray(spec[a])) { cols = cols.concat(spec[a]); }
      else if (typeof spec[a] === "string") { cols.push(spec[a]); }
    });
    (spec.columns || []).forEach(function (c) { cols.push(c.name); });
    if (spec.type === "Alert") { (spec.where || []).forEach(function (g) { g.forEach(function (c) { cols.push(c.col); }); }); }
    return cols;
  }

  // Rows of a component for the current filters, with the notes that explain them.
  function view(ctx, spec, ownDims) {
    var q = ctx.queries[spec.data];
    var ignore = (ctx.fixed || []).concat(ownDims || []);
    var dims = ctx.filtersOn ? activeDims(state, ignore) : [];
    var notes = [];
    var rows;
    var mode = "mart";
    if (!dims.length) {
      rows = q.rows;
    } else {
      var direct = dims.filter(function (d) { return expressible(d, q); });
      var rest = dims.filter(function (d) { return !expressible(d, q); });
      var info = queryKeys(q);
      if (!rest.length) {
        rows = q.rows.filter(rowFilter(q, dims));
        mode = "rows";
      } else if (info.ok) {
        rows = reaggregate(q, dims, notes);
        mode = "cube";
      } else if (SEM.dimension && has(q.columns, SEM.dimensionColumns[SEM.dimension])) {
        // Rows of members (of the filter with its own table): keep those active in the
        // selection, with their own totals.
        var members = membersIn(dims);
        var memberCol = SEM.dimensionColumns[SEM.dimension];
        rows = q.rows.filter(rowFilter(q, direct)).filter(function (row) {
          return members[String(row[memberCol])];
        });
        mode = "members";
        notes.push("Showing the " + SEM.plurals[SEM.dimension] + " in the selection with their overall figures: " +
          "these figures are not split by " + rest.map(function (d) {
            return SEM.filterLabels[d].toLowerCase();
          }).join(", ") + ".");
      } else {
        rows = q.rows.filter(rowFilter(q, direct));
        mode = "partial";
        notes.push("Not filtered by " + rest.map(function (d) {
          return SEM.filterLabels[d].toLowerCase();
        }).join(", ") + ": these rows do not carry it.");
      }
    }
    if (spec.where) { rows = rows.filter(function (row) { return matchesWhere(row, spec.where); }); }
    if (spec.sort) { rows = sortRows(rows, spec.sort); }
    if (spec.limit) { rows = rows.slice(0, spec.limit); }
    var used = specColumns(spec);
    var texts = [];
    notes.forEach(function (n) {
      var text = typeof n === "string" ? n : (n.cols.some(function (c) { return has(used, c); }) ? n.text : null);
      if (text && !has(texts, text)) { texts.push(text); }
    });
    return { rows: rows, notes: texts, mode: mode, dims: dims };
  }
  ROAS.view = view;

  // ------------------------------------------------------------------ links --

  // key -> page of each templated route (shipped as pairs: keys are values from the data)
  var ROUTES = dict();
  Object.keys(M.routes).forEach(function (route) {
    var pages = ROUTES[route] = dict();
    M.routes[route].forEach(function (pair) { pages[pair[0]] = pair[1]; });
  });
  function routeOf(route, key) {
    var pages = ROUTES[route];
    return (pages && pages[String(key)]) || null;
  }
  ROAS.routeOf = routeOf;

  function routeHref(ctx, route, key) {
    var path = routeOf(route, key);
    return path ? ctx.root + path + queryString(state) : null;
  }

  function safeUrl(text) {
    if (typeof text !== "string" || !/^https?:\/\//i.test(text)) { return null; }
    if (/[\s"'<>`\\\u0000-\u001f]/.test(text)) { return null; }
    try {
      var url = new URL(text);
      return (url.protocol === "http:" || url.protocol === "https:") && url.host ? url.href : null;
    } catch (e) { return null; }
  }

  function updateLinks() {
    var search = queryString(state);
    Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (a) {
      if (a.hasAttribute("data-external") || a.getAttribute("target") === "_blank") { return; }
      var base = a.getAttribute("data-href");
      if (base === null) {
        base = a.getAttribute("href");
        if (/^[a-z]+:/i.test(base) || base.charAt(0) === "#") { return; }
        a.setAttribute("data-href", base);
      }
      var hash = "";
      var h = base.indexOf("#");
      if (h >= 0) { hash = base.slice(h); base = base.slice(0, h); }
      a.setAttribute("href", base.split("?")[0] + search + hash);
    });
  }

  // ----------------------------------------------------------------- CSV --

  function csvCell(value) {
    if (value === null || value === undefined) { return ""; }
    var text = typeof value === "number" ? String(value) : String(value);
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) {
      text = "'" + text;  // neutralise spreadsheet formulas
    }
    if (/[",\r\n]/.test(text)) { text = '"' + text.replace(/"/g, '""') + '"'; }
    return text;
  }

  function downloadCsv(name, header, rows) {
    var lines = [header.map(csvCell).join(",")];
    rows.forEach(function (row) { lines.push(row.map(csvCell).join(",")); });
    var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = (name || "data") + ".csv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  ROAS.csvCell = csvCell;

  function fileName(ctx, spec) {
    var base = (ctx.title + " " + (spec.title || spec.data)).toLowerCase()
      .normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return base.slice(0, 80) || "data";
  }

  // for the files after this one
  app.compare = compare;
  app.downloadCsv = downloadCsv;
  app.fileName = fileName;
  app.matchesWhere = matchesWhere;
  app.queryKeys = queryKeys;
  app.routeHref = routeHref;
  app.safeUrl = safeUrl;
  app.sortRows = sortRows;
  app.updateLinks = updateLinks;
  app.view = view;
})(window.ROAS_APP = window.ROAS_APP || {});
