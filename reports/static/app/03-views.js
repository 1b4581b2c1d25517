  // ----------------------------------------------------------------- views --

  function dateColumn(columns) {
    for (var j = 0; j < SEM.dateColumns.length; j++) {
      if (has(columns, SEM.dateColumns[j])) { return SEM.dateColumns[j]; }
    }
    return null;
  }

  function rowDimValue(row, dim, columns) {
    var col = SEM.dimensionColumns[dim];
    if (has(columns, col)) { return row[col]; }
    if (has(SEM.influencerAttributes, dim) && has(columns, "influencer_id")) {
      var code = CODES.influencer[String(row.influencer_id)];
      return code === undefined ? undefined : DIMS[dim][ATTR[dim][code]];
    }
    if (dim === "brand" && has(columns, "product")) {
      return undefined;  // product -> brand only through the orders grain
    }
    return undefined;
  }

  function expressible(dim, q) {
    if (dim === "date") { return !!dateColumn(q.columns); }
    var col = SEM.dimensionColumns[dim];
    if (has(q.columns, col)) { return true; }
    return has(SEM.influencerAttributes, dim) && has(q.columns, "influencer_id");
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
    ["campaign", "influencer_id", "product", "brand", "platform", "influencer_type",
      "category", "gender"].forEach(function (k) {
      if (!has(cols, k)) { return; }
      if (has(SEM.influencerAttributes, k) && has(cols, "influencer_id")) { return; }
      if (k === "brand" && has(cols, "product")) { return; }
      keys.push(k);
    });
    var dcol = dateColumn(cols);
    if (dcol) { keys.push(dcol); }
    SEM.timeGrains.forEach(function (t) { if (has(cols, t)) { keys.push(t); } });
    var measures = cols.some(function (c) {
      return has(SEM.ordersMeasures, c) || has(SEM.postsMeasures, c) || SEM.ratios[c] ||
        has(SEM.incrementality, c);
    });
    var seen = {}, unique = true;
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

  function recomputable(col) {
    return has(SEM.ordersMeasures, col) || has(SEM.postsMeasures, col) || !!SEM.ratios[col] ||
      !!SEM.flags[col] || has(SEM.incrementality, col) || has(SEM.attributes, col) ||
      col === "influencers";
  }

  // Influencer codes with selected orders or whole selected cells.
  function influencersIn(dims) {
    var sel = Selection(state, dims);
    var set = {};
    var res = aggregateOrders(sel, ["influencer_id"]);
    Object.keys(res.groups).forEach(function (key) { set[key] = true; });
    return set;
  }

  function rowKey(row, keys) {
    return keyString(keys.map(function (k) {
      var v = row[k];
      return k === "date" || k === "post_date" || k === "order_date" || k === "month" || k === "week"
        ? (v ? String(v).slice(0, 10) : v) : v;
    }));
  }

  // Re-aggregate a query's rows from the filterable grain (memoised per query and filters).
  function reaggregate(q, dims, notes) {
    var key = JSON.stringify(["rows", q.uid, dims, state]);
    var hit = memo[key];
    if (!hit) {
      var own = [];
      hit = memo[key] = { rows: reaggregateNow(q, dims, own), notes: own };
      memoSize++;
    }
    hit.notes.forEach(function (n) { notes.push(n); });
    return hit.rows;
  }

  function reaggregateNow(q, dims, notes) {
    var info = queryKeys(q);
    var keys = info.keys;
    var sel = Selection(state, dims);
    var orders = aggregateOrders(sel, keys);
    var postsOk = postsSupported(sel, keys) && q.columns.some(function (c) {
      return has(SEM.postsMeasures, c) || (SEM.ratios[c] && (c.indexOf("engagement") === 0 ||
        c === "cpm" || c === "cpe"));
    });
    var postGroups = {};
    if (postsOk) { aggregatePosts(sel, keys, postGroups); }
    var out = [];
    var missing = {};
    q.rows.forEach(function (row) {
      var key = rowKey(row, keys);
      var g = orders.groups[key];
      var pg = postGroups[key];
      if (!g && !pg) { return; }
      g = g || newGroup();
      if (pg) {
        ["posts", "reach", "likes", "comments", "follower_impressions", "postRows"].forEach(function (m) {
          g[m] = pg[m];
        });
      }
      var unit = g.spendBad ? null : unitOf(g.cells);
      var next = {};
      q.columns.forEach(function (col) {
        var v = groupValue(col, g, postsOk);
        if (v !== undefined) { next[col] = v; return; }
        if (has(SEM.incrementality, col)) {
          var uk = col === "method" ? "iroas_method" : col;
          next[col] = unit && Object.prototype.hasOwnProperty.call(unit, uk) ? unit[uk] : null;
          if (!unit) { missing.iroas = true; }
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
      if (g.spendBad && has(q.columns, "spend")) { missing.spend = true; }
      out.push(next);
    });
    var spendCols = q.columns.filter(function (c) {
      var def = SEM.ratios[c];
      return c === "spend" || !!SEM.flags[c] ||
        (def && (def.den === "spend" || def.num.join().indexOf("spend") >= 0));
    });
    if (spendCols.length && (missing.spend || orders.meta.cutCells)) {
      notes.push({ cols: spendCols, text: "Spend is recorded per campaign × influencer cell, " +
        "not per day, brand or product: where this filter cuts a cell, its spend and ROAS " +
        "are not shown (—)." });
    }
    if (spendCols.length && orders.meta.unplacedSpend) {
      notes.push({ cols: spendCols, text: Fmt.money(orders.meta.unplacedSpend) + " of spend " +
        "in cells without any order has no day, product or brand and is left out of this " +
        "selection." });
    }
    if (missing.iroas) {
      notes.push({ cols: q.columns.filter(function (c) { return has(SEM.incrementality, c); }),
        text: "iROAS needs whole cells: it is shown only where the selection is a whole " +
        "campaign × influencer cell, influencer, campaign, persona, brand or the programme." });
    }
    var other = Object.keys(missing).filter(function (c) { return c !== "iroas" && c !== "spend"; });
    other.forEach(function (c) {
      notes.push({ cols: [c], text: "Not recomputed for this filter: " + c.replace(/_/g, " ") + " (—)." });
    });
    var postCols = q.columns.filter(function (c) {
      return has(SEM.postsMeasures, c) || c.indexOf("engagement_rate") === 0;
    });
    if (!postsOk && postCols.length && (sel.sets.brand || sel.sets.product)) {
      notes.push({ cols: postCols, text: "Posts have no product: engagement is not shown " +
        "under a brand or product filter." });
    }
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
      } else if (has(q.columns, "influencer_id")) {
        // Rows of influencers: keep those active in the selection, with their own totals.
        var members = influencersIn(dims);
        rows = q.rows.filter(rowFilter(q, direct)).filter(function (row) {
          return members[String(row.influencer_id)];
        });
        mode = "members";
        notes.push("Showing the influencers in the selection with their overall figures: " +
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

  function routeHref(ctx, route, key) {
    var map = M.routes[route];
    var path = map && map[String(key)];
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

