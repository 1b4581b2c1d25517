(function (app) {
  "use strict";

  if (!app.M) { return; }  // no site model: nothing to do
  // from the files before this one
  var dict = app.dict, CELLS = app.CELLS, CODES = app.CODES, DAY = app.DAY, DIMS = app.DIMS,
      FACTS = app.FACTS, FURTHER = app.FURTHER, M = app.M, NC = app.NC, NO = app.NO,
      PRIMARY = app.PRIMARY, ROAS = app.ROAS, SEM = app.SEM, cellRows = app.cellRows,
      dayOfIso = app.dayOfIso, has = app.has, isoOfDay = app.isoOfDay,
      rowCell = app.rowCell;

  // --------------------------------------------------------------- filters --

  var FILTERS = SEM.filters;
  // Filters fixed within a cell: its keys and their attributes (the others cut cells).
  var CELL_DIMS = FILTERS.filter(function (d) { return CELLS.fixes(d); });

  function emptyState() {
    var s = { from: null, to: null };
    FILTERS.forEach(function (f) { s[f] = []; });
    return s;
  }

  function readState() {
    var s = emptyState();
    var params = new URLSearchParams(window.location.search);
    FILTERS.forEach(function (f) {
      s[f] = params.getAll(f).filter(function (v) {
        return CODES[f] && Object.prototype.hasOwnProperty.call(CODES[f], v);
      });
    });
    ["from", "to"].forEach(function (key) {
      var v = params.get(key);
      s[key] = v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null;
    });
    return s;
  }

  function queryString(s) {
    var params = new URLSearchParams();
    FILTERS.forEach(function (f) { s[f].forEach(function (v) { params.append(f, v); }); });
    if (s.from) { params.set("from", s.from); }
    if (s.to) { params.set("to", s.to); }
    var text = params.toString();
    return text ? "?" + text : "";
  }

  // One state object for every file: replaced in place, never reassigned.
  var state = readState();
  function resetState(next) {
    Object.keys(state).forEach(function (k) { delete state[k]; });
    Object.keys(next).forEach(function (k) { state[k] = next[k]; });
  }
  ROAS.state = function () { return JSON.parse(JSON.stringify(state)); };

  function activeDims(s, ignore) {
    var out = [];
    FILTERS.forEach(function (f) { if (s[f].length && !has(ignore, f)) { out.push(f); } });
    if ((s.from || s.to) && !has(ignore, "date")) { out.push("date"); }
    return out;
  }

  // A compiled selection: code sets per dimension, and the date range in day offsets.
  function Selection(s, dims, range) {
    var sel = { dims: dims, sets: {}, from: null, to: null };
    dims.forEach(function (d) {
      if (d === "date") { return; }
      var set = {};
      s[d].forEach(function (v) { set[CODES[d][v]] = true; });
      sel.sets[d] = set;
    });
    if (has(dims, "date")) {
      sel.from = s.from ? dayOfIso(s.from) : -Infinity;
      sel.to = s.to ? dayOfIso(s.to) : Infinity;
    }
    if (range) { sel.from = range[0]; sel.to = range[1]; if (!has(sel.dims, "date")) { sel.dims = sel.dims.concat(["date"]); } }
    sel.setDims = Object.keys(sel.sets);
    sel.cellDims = sel.setDims.filter(function (d) { return has(CELL_DIMS, d); });
    sel.rowDims = sel.setDims.filter(function (d) { return !has(CELL_DIMS, d); });
    return sel;
  }

  // Whether a row of a grain has a selected value of every filter in `dims`, compiled
  // once for many rows: fn(r) -> bool (false for all when the grain lacks a filter).
  function passer(sel, grain, dims) {
    var codes = dims.map(function (d) { return grain.codes(d); });
    var sets = dims.map(function (d) { return sel.sets[d]; });
    var n = dims.length;
    if (codes.some(function (c) { return !c; })) { return function () { return false; }; }
    return function (r) {
      for (var j = 0; j < n; j++) { if (!sets[j][codes[j][r]]) { return false; } }
      return true;
    };
  }

  function inRange(sel, grain, r) {
    if (sel.from === null) { return true; }
    var d = grain.day(r);
    return !(d < sel.from || d > sel.to);
  }

  // ------------------------------------------------------------ aggregation --
  // Group keys: a list of column names; values as the marts show them.

  var DIM_OF_COLUMN = {};
  Object.keys(SEM.dimensionColumns).forEach(function (d) { DIM_OF_COLUMN[SEM.dimensionColumns[d]] = d; });
  function isDateColumn(col) { return col === "date" || has(SEM.dateColumns, col); }
  // Columns whose value is fixed within a cell: filters of the cell and their labels.
  function cellColumn(col) {
    var dim = DIM_OF_COLUMN[col] || SEM.labelColumns[col];
    return !!dim && has(CELL_DIMS, dim);
  }

  function weekStart(iso) {
    var t = Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10));
    var dow = (new Date(t).getUTCDay() + 6) % 7;
    return new Date(t - dow * DAY).toISOString().slice(0, 10);
  }

  // The values of a key column in the rows of a grain: fn(r) -> the value as the marts
  // show it (undefined: the rows do not carry it), compiled once for many rows.
  function keyGetter(col, grain) {
    var dim = DIM_OF_COLUMN[col] || SEM.labelColumns[col];
    var codes = dim ? grain.codes(dim) : null;
    if (dim && !codes) { return function () { return undefined; }; }
    if (DIM_OF_COLUMN[col]) {
      var values = DIMS[dim];
      return function (r) { return codes[r] < 0 ? null : values[codes[r]]; };
    }
    if (dim) {
      var labels = M.labels[dim];
      return function (r) { return labels[codes[r]]; };
    }
    return function (r) {
      var d = grain.day(r);
      if (d === undefined || d === null) { return undefined; }
      if (isDateColumn(col)) { return isoOfDay(d); }
      if (col === "month") { return isoOfDay(d).slice(0, 8) + "01"; }
      if (col === "week") { return weekStart(isoOfDay(d)); }
      return undefined;
    };
  }

  // The group key of row r of a grain for `keys`, with getters compiled per grain.
  function keyMaker(keys) {
    var compiled = [];  // [grain, getters]
    return function (grain, r) {
      var getters = null;
      for (var j = 0; j < compiled.length; j++) { if (compiled[j][0] === grain) { getters = compiled[j][1]; } }
      if (!getters) {
        getters = keys.map(function (k) { return keyGetter(k, grain); });
        compiled.push([grain, getters]);
      }
      var vals = new Array(getters.length);
      for (var i = 0; i < getters.length; i++) { vals[i] = getters[i](r); }
      return keyString(vals);
    };
  }

  function keyString(values) { return values.join("\u0001"); }

  var PRIMARY_MEASURES = Object.keys(M.facts.measures);
  var CELL_MEASURES = SEM.cellMeasures;
  var DISTINCT = SEM.grains[PRIMARY].distinct;  // count name -> the filter counted

  function newGroup() {
    var g = { cut: false, cells: [], rows: 0, distinct: {}, further: {} };
    PRIMARY_MEASURES.forEach(function (m) { g[m] = 0; });
    CELL_MEASURES.forEach(function (m) { g[m] = 0; });
    Object.keys(DISTINCT).forEach(function (name) { g.distinct[name] = {}; });
    return g;
  }

  // Aggregations are shared by the tiles, trends, tables and charts of a page: memoised
  // per selection, grouping and key function (cleared when the filters change).
  var memo = {};
  var memoSize = 0;
  function clearMemo() { memo = {}; memoSize = 0; }
  function recall(key) {
    return Object.prototype.hasOwnProperty.call(memo, key) ? memo[key] : undefined;
  }
  function remember(key, value) {
    if (memoSize > 400) { clearMemo(); }
    memo[key] = value;
    memoSize++;
    return value;
  }

  function aggregateFacts(sel, keys, keyFn, fnId) {
    if (keyFn && !fnId) { return aggregateFactsNow(sel, keys, keyFn); }
    var key = JSON.stringify([sel.dims, sel.sets, sel.from, sel.to, keys, fnId || ""]);
    return recall(key) || remember(key, aggregateFactsNow(sel, keys, keyFn));
  }

  var DISTINCT_NAMES = Object.keys(DISTINCT);
  function distinctCodes(grain) {
    return DISTINCT_NAMES.map(function (name) { return grain.codes(DISTINCT[name]); });
  }
  function countDistinct(g, codes, r) {
    for (var j = 0; j < codes.length; j++) {
      if (codes[j]) { g.distinct[DISTINCT_NAMES[j]][codes[j][r]] = true; }
    }
  }

  // Sums of the primary grain, and the cell measures of whole cells, per group of `keys`.
  // keyFn(grain, r) -> key string (or null to skip) lets callers group by windows.
  function aggregateFactsNow(sel, keys, keyFn) {
    var groups = dict();
    var cellLevel = keys.every(cellColumn);
    var fn = keyFn || keyMaker(keys);
    var rowPasses = passer(sel, FACTS, sel.setDims);
    var factDistinct = distinctCodes(FACTS), cellDistinct = distinctCodes(CELLS);
    var selCount = new Int32Array(NC);
    var cellGroup = new Array(NC);
    var MIXED = {};
    var m, j;
    for (var r = 0; r < NO; r++) {
      if (!rowPasses(r) || !inRange(sel, FACTS, r)) { continue; }
      var key = fn(FACTS, r);
      if (key === null) { continue; }
      var g = groups[key] || (groups[key] = newGroup());
      for (j = 0; j < PRIMARY_MEASURES.length; j++) {
        m = PRIMARY_MEASURES[j];
        g[m] += FACTS.measures[m][r];
      }
      g.rows++;
      countDistinct(g, factDistinct, r);
      var cell = rowCell[r];
      if (cell >= 0) {
        selCount[cell]++;
        if (cellGroup[cell] === undefined) { cellGroup[cell] = key; }
        else if (cellGroup[cell] !== key) {
          if (cellGroup[cell] !== MIXED) { (groups[cellGroup[cell]]).cut = true; }
          cellGroup[cell] = MIXED;
          g.cut = true;
        }
      }
    }
    var meta = { unplaced: {}, cutCells: 0 };
    CELL_MEASURES.forEach(function (name) { meta.unplaced[name] = 0; });
    // Filters the cells carry as their own attributes, and those they cannot answer.
    var ownDims = sel.rowDims.filter(function (d) { return !!CELLS.codes(d); });
    var unanswered = sel.rowDims.length > ownDims.length;
    var cellPasses = passer(sel, CELLS, sel.cellDims), ownPasses = passer(sel, CELLS, ownDims);
    for (var x = 0; x < NC; x++) {
      if (!cellPasses(x)) { continue; }
      var target = null;
      if (cellRows[x] === 0) {
        // A cell without rows has no day and no value of a row filter but its own.
        var ownOk = ownPasses(x);
        if (cellLevel && !keyFn && ownOk && !unanswered && sel.from === null) {
          target = fn(CELLS, x);
        } else {
          if (ownOk) {
            for (j = 0; j < CELL_MEASURES.length; j++) {
              meta.unplaced[CELL_MEASURES[j]] += CELLS.measures[CELL_MEASURES[j]][x] || 0;
            }
          }
          continue;
        }
      } else if (selCount[x] === 0) {
        continue;
      } else if (selCount[x] < cellRows[x] || cellGroup[x] === MIXED) {
        meta.cutCells++;
        if (cellGroup[x] !== MIXED && groups[cellGroup[x]]) { groups[cellGroup[x]].cut = true; }
        continue;
      } else {
        target = cellLevel && !keyFn ? fn(CELLS, x) : cellGroup[x];
      }
      var gg = groups[target] || (groups[target] = newGroup());
      for (j = 0; j < CELL_MEASURES.length; j++) {
        m = CELL_MEASURES[j];
        gg[m] += CELLS.measures[m][x] || 0;
      }
      gg.cells.push(x);
      countDistinct(gg, cellDistinct, x);
    }
    return { groups: groups, meta: meta };
  }

  // Columns a further grain can group by: its filters, their labels, dates, time grains.
  function groupable(grain, col) {
    if (isDateColumn(col) || has(SEM.timeGrains, col)) { return !!grain.keys.date; }
    var dim = DIM_OF_COLUMN[col] || SEM.labelColumns[col];
    return !!dim && !!grain.codes(dim);
  }

  // The further grains whose measures `columns` need, each usable for this selection and
  // grouping or not (a selected filter or a key the grain does not carry).
  function furtherFor(sel, keys, columns) {
    var out = {};
    Object.keys(SEM.grains).forEach(function (name) {
      if (SEM.grains[name].primary) { return; }
      if (!columns.some(function (c) { return usesGrain(c, name); })) { return; }
      var grain = FURTHER[name];
      out[name] = !!grain && sel.setDims.every(function (d) { return !!grain.codes(d); }) &&
        keys.every(function (k) { return groupable(grain, k); });
    });
    return out;
  }

  // Whether a column is a measure of the grain or a ratio or flag with one in its terms.
  function usesGrain(col, name) {
    var measures = SEM.grains[name].measures;
    if (has(measures, col)) { return true; }
    var def = SEM.ratios[col] || (SEM.flags[col] && SEM.ratios[SEM.flags[col].ratio]);
    return !!def && def.num.concat([def.den]).some(function (t) { return has(measures, t.replace("-", "")); });
  }
  // ... and only of measures of the grain.
  function onlyOfGrain(col, name) {
    var measures = SEM.grains[name].measures;
    var def = SEM.ratios[col];
    if (!def) { return has(measures, col); }
    return def.num.concat([def.den]).every(function (t) { return has(measures, t.replace("-", "")); });
  }
  function usesCells(col) {
    if (has(CELL_MEASURES, col)) { return true; }
    var def = SEM.ratios[col] || (SEM.flags[col] && SEM.ratios[SEM.flags[col].ratio]);
    return !!def && def.num.concat([def.den]).some(function (t) { return has(CELL_MEASURES, t.replace("-", "")); });
  }

  // Sums of a further grain per group of `keys`, into group.further[name].
  function aggregateFurther(name, sel, keys, into) {
    var grain = FURTHER[name];
    var sem = SEM.grains[name];
    var measures = Object.keys(grain.measures);
    // rows of a member the dimension's table does not list are left out, as in @<grain>
    var members = SEM.dimension ? grain.codes(SEM.dimension) : null;
    var rowPasses = passer(sel, grain, sel.setDims);
    var keyOf = keyMaker(keys);
    for (var r = 0; r < grain.n; r++) {
      if (members && members[r] < 0) { continue; }
      if (!rowPasses(r) || !inRange(sel, grain, r)) { continue; }
      var key = keyOf(grain, r);
      var g = into[key] || (into[key] = {});
      if (sem.count) { g[sem.count] = (g[sem.count] || 0) + 1; }
      for (var j = 0; j < measures.length; j++) {
        g[measures[j]] = (g[measures[j]] || 0) + grain.measures[measures[j]][r];
      }
    }
  }

  function ratio(name, g) {
    var def = SEM.ratios[name];
    var den = g[def.den];
    if (den === null || den === undefined || !den) { return null; }
    var num = 0;
    for (var j = 0; j < def.num.length; j++) {
      var term = def.num[j];
      var v = term.charAt(0) === "-" ? -g[term.slice(1)] : g[term];
      if (v === null || v === undefined) { return null; }
      num += v;
    }
    return num / den * def.scale;
  }

  // The value of column `col` for a group, or undefined when it cannot be recomputed.
  // `further`: grain name -> whether its sums in the group are usable.
  function groupValue(col, g, further) {
    var usable = further || {};
    if (has(PRIMARY_MEASURES, col)) { return g[col]; }
    if (has(CELL_MEASURES, col)) { return g.cut ? null : g[col]; }
    if (Object.prototype.hasOwnProperty.call(DISTINCT, col)) { return Object.keys(g.distinct[col]).length; }
    var names = Object.keys(SEM.grains);
    for (var j = 0; j < names.length; j++) {
      if (!SEM.grains[names[j]].primary && has(SEM.grains[names[j]].measures, col)) {
        return usable[names[j]] ? (g.further[names[j]] || {})[col] || 0 : null;
      }
    }
    if (SEM.ratios[col]) {
      var values = {};
      var def = SEM.ratios[col];
      var terms = def.num.map(function (t) { return t.replace("-", ""); }).concat([def.den]);
      for (var k = 0; k < terms.length; k++) {
        var v = groupValue(terms[k], g, further);
        if (v === null || v === undefined) { return null; }
        values[terms[k]] = v;
      }
      return ratio(col, values);
    }
    if (SEM.flags[col]) {
      var rv = groupValue(SEM.flags[col].ratio, g, further);
      return rv === null ? null : rv < M.config[SEM.flags[col].below];
    }
    return undefined;
  }

  // for the files after this one
  app.CELL_MEASURES = CELL_MEASURES;
  app.DISTINCT = DISTINCT;
  app.FILTERS = FILTERS;
  app.PRIMARY_MEASURES = PRIMARY_MEASURES;
  app.Selection = Selection;
  app.activeDims = activeDims;
  app.aggregateFacts = aggregateFacts;
  app.aggregateFurther = aggregateFurther;
  app.clearMemo = clearMemo;
  app.emptyState = emptyState;
  app.furtherFor = furtherFor;
  app.groupValue = groupValue;
  app.isDateColumn = isDateColumn;
  app.keyString = keyString;
  app.keyGetter = keyGetter;
  app.newGroup = newGroup;
  app.onlyOfGrain = onlyOfGrain;
  app.queryString = queryString;
  app.ratio = ratio;
  app.recall = recall;
  app.remember = remember;
  app.resetState = resetState;
  app.state = state;
  app.usesCells = usesCells;
})(window.ROAS_APP = window.ROAS_APP || {});
