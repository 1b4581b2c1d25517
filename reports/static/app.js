/* Influencer ROAS report: filters, cross-filtering, tables and charts, in the browser.
 *
 * Loaded as a file (the Content-Security-Policy forbids inline script); the data come
 * from script files of the site (window.ROAS_MODEL, ROAS_PAGES, ROAS_TEMPLATES,
 * ROAS_POSTS) and JSON blocks of the page: nothing is fetched, nothing goes to the
 * network. Every value from the data reaches the page through textContent or an
 * attribute set with setAttribute, never as markup; plotly gets HTML-escaped text.
 *
 * Filtering (see docs/report.md):
 *  - a query result whose rows carry the filtered dimension is filtered row by row
 *    (the mart's own numbers, exact);
 *  - otherwise it is re-aggregated from the filterable grain (mart_daily_performance,
 *    plus spend per campaign × influencer cell): sums, and ratios of the sums with the
 *    marts' definitions (ROAS = revenue ÷ spend);
 *  - spend is counted only for whole cells (a cell cut by a date, brand or product
 *    filter has no spend of its own), and iROAS with its interval only where the
 *    selection is a whole mart unit (a cell, an influencer, a campaign, a persona, a
 *    brand, the programme); anything else shows "—" with a note, never an estimate.
 */
(function () {
  "use strict";

  var M = window.ROAS_MODEL;
  if (!M) { return; }
  var SEM = M.semantics;
  var ROAS = window.ROAS = { ready: false, lastUpdateMs: null, updates: 0 };

  // ---------------------------------------------------------------- helpers --

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function has(list, value) { return list.indexOf(value) >= 0; }

  function decodeColumn(col, n) {
    if (Array.isArray(col)) { return col; }
    var out = new Array(n);
    var i;
    if (col && Object.prototype.hasOwnProperty.call(col, "const")) {
      for (i = 0; i < n; i++) { out[i] = col["const"]; }
      return out;
    }
    if (col && col.days) {
      var base = Date.UTC(+col.base.slice(0, 4), +col.base.slice(5, 7) - 1, +col.base.slice(8, 10));
      for (i = 0; i < n; i++) { out[i] = new Date(base + col.days[i] * 86400000).toISOString().slice(0, 10); }
      return out;
    }
    if (col && col.dict) {
      for (i = 0; i < n; i++) { out[i] = col.codes[i] < 0 ? null : col.dict[col.codes[i]]; }
      return out;
    }
    return out;
  }

  function decodeResult(name, q) {
    var cols = {};
    q.columns.forEach(function (c) { cols[c] = decodeColumn(q.v[c], q.n); });
    var rows = new Array(q.n);
    for (var i = 0; i < q.n; i++) {
      var row = {};
      for (var j = 0; j < q.columns.length; j++) { row[q.columns[j]] = cols[q.columns[j]][i]; }
      rows[i] = row;
    }
    queryCount += 1;
    return { name: name, uid: queryCount, columns: q.columns.slice(), rows: rows };
  }
  var queryCount = 0;

  // Text for plotly, which renders a little HTML in labels: escape it to show literally.
  function esc(text) {
    return String(text === null || text === undefined ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function short(text, limit) {
    text = String(text === null || text === undefined ? "—" : text);
    return text.length <= limit ? text : text.slice(0, limit - 1) + "…";
  }

  // -------------------------------------------------------------- formatting --
  // Mirrors reports/formatting.py: half-up rounding of the shortest decimal form,
  // Indian digit grouping (12,34,567) for ₹, lakh and crore for compact money.

  var MISSING = "—";
  var INDIAN = M.indian;
  var CURRENCY = M.currency;

  function isNum(v) { return typeof v === "number" && isFinite(v); }

  function expand(x) {  // non-negative number -> plain decimal digits (no exponent)
    var s = String(x);
    if (s.indexOf("e") < 0) { return s; }
    var parts = s.split("e");
    var mant = parts[0].replace(".", "");
    var point = (parts[0].indexOf(".") < 0 ? parts[0].length : parts[0].indexOf(".")) +
      parseInt(parts[1], 10);
    if (point <= 0) { return "0." + new Array(1 - point).join("0") + mant; }
    if (point >= mant.length) { return mant + new Array(point - mant.length + 1).join("0"); }
    return mant.slice(0, point) + "." + mant.slice(point);
  }

  function roundDigits(x, decimals) {  // |x| rounded half-up -> [intDigits, fraction]
    var s = expand(Math.abs(x));
    var dot = s.indexOf(".");
    var intPart = dot < 0 ? s : s.slice(0, dot);
    var frac = dot < 0 ? "" : s.slice(dot + 1);
    while (frac.length < decimals + 1) { frac += "0"; }
    var keep = intPart + frac.slice(0, decimals);
    var next = parseInt(frac.charAt(decimals), 10);
    var digits = keep.split("").map(Number);
    if (next >= 5) {
      var k = digits.length - 1;
      while (k >= 0) {
        if (digits[k] === 9) { digits[k] = 0; k--; } else { digits[k] += 1; break; }
      }
      if (k < 0) { digits.unshift(1); }
    }
    var all = digits.join("");
    var intLen = all.length - decimals;
    var i = all.slice(0, intLen).replace(/^0+(?=\d)/, "") || "0";
    return [i, all.slice(intLen)];
  }

  function group(intDigits, indian) {
    if (intDigits.length <= 3) { return intDigits; }
    var head = intDigits.slice(0, -3);
    var tail = intDigits.slice(-3);
    var size = indian ? 2 : 3;
    var groups = [];
    while (head.length) { groups.unshift(head.slice(-size)); head = head.slice(0, -size); }
    groups.push(tail);
    return groups.join(",");
  }

  function groupDigits(v, decimals, indian) {
    if (!isNum(v)) { return MISSING; }
    var r = roundDigits(v, decimals);
    var zero = /^0*$/.test(r[0] + r[1]);
    var sign = v < 0 && !zero ? "-" : "";
    var text = group(r[0], indian);
    return sign + text + (decimals ? "." + r[1] : "");
  }

  function withSymbol(text, symbol) {
    var sign = "";
    if (text.charAt(0) === "-") { sign = "-"; text = text.slice(1); }
    var space = /[A-Za-z.]$/.test(symbol) ? " " : "";
    return sign + symbol + space + text;
  }

  function round1(x) { return parseFloat(roundDigits(x, 1).join(".")); }

  var Fmt = {
    money: function (v, decimals) {
      var t = groupDigits(v, decimals || 0, INDIAN);
      return t === MISSING ? t : withSymbol(t, CURRENCY);
    },
    moneyCompact: function (v) {
      if (!isNum(v)) { return MISSING; }
      var units = INDIAN ? [[1e7, " Cr"], [1e5, " L"]] : [[1e9, "B"], [1e6, "M"], [1e3, "K"]];
      var m = Math.abs(v);
      for (var i = 0; i < units.length; i++) {
        var smaller = i + 1 < units.length ? units[i + 1][0] : null;
        var rolls = smaller !== null && round1(m / smaller) >= units[i][0] / smaller;
        if (m >= units[i][0] || rolls) {
          return withSymbol(groupDigits(v / units[i][0], 1, INDIAN), CURRENCY) + units[i][1];
        }
      }
      return Fmt.money(v);
    },
    num: function (v) { return groupDigits(v, 0, INDIAN); },
    ratio: function (v) { return groupDigits(v, 2, false); },
    pct: function (v) { var t = groupDigits(v, 2, false); return t === MISSING ? t : t + "%"; },
    percent: function (v, d) {
      if (!isNum(v)) { return MISSING; }
      return groupDigits(v * 100, d === undefined ? 1 : d, false) + "%";
    },
    date: function (v) {
      if (!v) { return MISSING; }
      var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(v));
      if (!m) { return String(v); }
      var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
        "Nov", "Dec"];
      return parseInt(m[3], 10) + " " + months[parseInt(m[2], 10) - 1] + " " + m[1];
    },
    format: function (v, fmt) {
      if (v === null || v === undefined) { return MISSING; }
      switch (fmt) {
        case "money": return Fmt.money(v);
        case "money2": return Fmt.money(v, 2);
        case "count": return Fmt.num(v);
        case "ratio": return Fmt.ratio(v);
        case "percent": return Fmt.percent(v);
        case "pct": return Fmt.pct(v);
        case "share": return Fmt.percent(v, 0);
        case "p": return v < 0.001 && v >= 0 ? "< 0.001" : groupDigits(v, 3, false);
        case "number": return groupDigits(v, 2, INDIAN);
        case "date": return Fmt.date(v);
        case "datetime": return Fmt.date(v) + (String(v).length > 10 ? " " + String(v).slice(11, 16) + " UTC" : "");
        case "bool": return v ? "yes" : "no";
        default: return String(v);
      }
    }
  };
  ROAS.fmt = Fmt;

  // ------------------------------------------------------------------ model --

  var DIMS = M.dims;
  var NI = DIMS.influencer.length;
  var CODES = {};
  Object.keys(DIMS).forEach(function (d) {
    var map = {};
    DIMS[d].forEach(function (v, i) { map[String(v)] = i; });
    CODES[d] = map;
  });
  var ATTR = M.influencerAttrs;  // dim -> code per influencer code
  var FIRST_DAY = Date.UTC(+M.firstDate.slice(0, 4), +M.firstDate.slice(5, 7) - 1,
    +M.firstDate.slice(8, 10));
  var DAY = 86400000;

  function isoOfDay(d) {
    if (d === null || d === undefined) { return null; }
    return new Date(FIRST_DAY + d * DAY).toISOString().slice(0, 10);
  }
  function dayOfIso(s) {
    if (!s) { return null; }
    return Math.round((Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10)) -
      FIRST_DAY) / DAY);
  }
  var LAST_DAY = dayOfIso(M.lastDate) || 0;

  var O = M.orders;
  var NO = O.d.length;
  var C = M.cells;
  var NC = C.c.length;
  var cellOf = {};  // c * NI + i -> cell index
  for (var ci = 0; ci < NC; ci++) { cellOf[C.c[ci] * NI + C.i[ci]] = ci; }
  var rowCell = new Int32Array(NO);
  var cellRows = new Int32Array(NC);
  for (var r = 0; r < NO; r++) {
    var k = cellOf[O.c[r] * NI + O.i[r]];
    rowCell[r] = k === undefined ? -1 : k;
    if (k !== undefined) { cellRows[k]++; }
  }
  var cellBrand = C.brand ? decodeColumn(C.brand, NC) : null;

  // Unit values (iROAS and companions) of whole units, and their cell counts.
  var UNITS = {};
  Object.keys(M.units).forEach(function (kind) {
    var u = M.units[kind];
    var n = 0;
    Object.keys(u).forEach(function (key) { if (Array.isArray(u[key])) { n = Math.max(n, u[key].length); } });
    Object.keys(u).forEach(function (key) { if (!n && u[key] && u[key].codes) { n = u[key].codes.length; } });
    var cols = {};
    Object.keys(u).forEach(function (key) { cols[key] = decodeColumn(u[key], n); });
    UNITS[kind] = { n: n, cols: cols };
  });
  var CELLCOLS = {};
  Object.keys(C).forEach(function (key) { CELLCOLS[key] = decodeColumn(C[key], NC); });
  var cellsPerInf = {}, cellsPerCamp = {}, cellsPerPersona = {}, cellsPerBrand = {};
  function bump(map, key) { map[key] = (map[key] || 0) + 1; }
  for (ci = 0; ci < NC; ci++) {
    bump(cellsPerInf, C.i[ci]);
    bump(cellsPerCamp, C.c[ci]);
    bump(cellsPerPersona, ATTR.category[C.i[ci]] + "|" + ATTR.gender[C.i[ci]]);
    if (cellBrand) { bump(cellsPerBrand, cellBrand[ci]); }
  }
  var unitIndex = { campaign: {}, persona: {}, brand: {} };
  if (UNITS.campaign) {
    UNITS.campaign.cols.c.forEach(function (code, i) { unitIndex.campaign[code] = i; });
  }
  if (UNITS.persona) {
    UNITS.persona.cols.category.forEach(function (code, i) {
      unitIndex.persona[code + "|" + UNITS.persona.cols.gender[i]] = i;
    });
  }
  if (UNITS.brand) {
    UNITS.brand.cols.b.forEach(function (code, i) { unitIndex.brand[DIMS.brand[code]] = i; });
  }
  var UNIT_KEYS = ["incremental_revenue", "iroas", "iroas_ci_low", "iroas_ci_high",
    "iroas_verdict", "iroas_method", "assumed_iroas_low", "assumed_iroas_high", "p_value",
    "power_status", "mde_iroas", "incremental_orders"];

  function unitValues(cols, i) {
    var out = {};
    UNIT_KEYS.forEach(function (key) {
      var source = key === "iroas_method" && !cols.iroas_method ? cols.method : cols[key];
      out[key] = source ? source[i] : null;
    });
    if (out.iroas_method === undefined) { out.iroas_method = null; }
    return out;
  }

  // The unit a set of whole cells is exactly, or null.
  function unitOf(cells) {
    var n = cells.length;
    if (!n) { return null; }
    if (n === 1) { return unitValues(CELLCOLS, cells[0]); }
    var i0 = C.i[cells[0]], c0 = C.c[cells[0]];
    var p0 = ATTR.category[i0] + "|" + ATTR.gender[i0];
    var b0 = cellBrand ? cellBrand[cells[0]] : null;
    var sameI = true, sameC = true, sameP = true, sameB = !!cellBrand;
    for (var j = 1; j < n; j++) {
      var x = cells[j];
      if (C.i[x] !== i0) { sameI = false; }
      if (C.c[x] !== c0) { sameC = false; }
      if (ATTR.category[C.i[x]] + "|" + ATTR.gender[C.i[x]] !== p0) { sameP = false; }
      if (cellBrand && cellBrand[x] !== b0) { sameB = false; }
    }
    if (sameI && n === cellsPerInf[i0] && UNITS.influencer) { return unitValues(UNITS.influencer.cols, i0); }
    if (sameC && n === cellsPerCamp[c0] && unitIndex.campaign[c0] !== undefined) {
      return unitValues(UNITS.campaign.cols, unitIndex.campaign[c0]);
    }
    if (sameP && n === cellsPerPersona[p0] && unitIndex.persona[p0] !== undefined) {
      return unitValues(UNITS.persona.cols, unitIndex.persona[p0]);
    }
    if (sameB && n === cellsPerBrand[b0] && unitIndex.brand[b0] !== undefined) {
      return unitValues(UNITS.brand.cols, unitIndex.brand[b0]);
    }
    if (n === NC && UNITS.programme) { return unitValues(UNITS.programme.cols, 0); }
    return null;
  }

  var P = window.ROAS_POSTS || null;

  // --------------------------------------------------------------- filters --

  var FILTERS = SEM.filters;
  var CELL_DIMS = ["campaign", "influencer", "platform", "influencer_type", "category", "gender"];
  var ROW_DIMS = ["brand", "product", "date"];

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

  var state = readState();
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
    sel.rowGrain = sel.dims.some(function (d) { return has(ROW_DIMS, d); });
    sel.onlyBrand = sel.dims.length > 0 && sel.dims.every(function (d) {
      return d === "brand" || has(CELL_DIMS, d);
    }) && has(sel.dims, "brand");
    return sel;
  }

  function cellPasses(sel, c, i) {
    var sets = sel.sets;
    if (sets.campaign && !sets.campaign[c]) { return false; }
    if (sets.influencer && !sets.influencer[i]) { return false; }
    if (sets.platform && !sets.platform[ATTR.platform[i]]) { return false; }
    if (sets.influencer_type && !sets.influencer_type[ATTR.influencer_type[i]]) { return false; }
    if (sets.category && !sets.category[ATTR.category[i]]) { return false; }
    if (sets.gender && !sets.gender[ATTR.gender[i]]) { return false; }
    return true;
  }

  function rowGrainPasses(sel, r) {
    if (sel.sets.brand && !sel.sets.brand[O.b[r]]) { return false; }
    if (sel.sets.product && !sel.sets.product[O.p[r]]) { return false; }
    if (sel.from !== null && (O.d[r] < sel.from || O.d[r] > sel.to)) { return false; }
    return true;
  }

  // ------------------------------------------------------------ aggregation --
  // Group keys: a list of column names; values as the marts show them.

  var CELL_KEYS = ["campaign", "influencer_id", "name", "platform", "influencer_type",
    "category", "gender"];

  function weekStart(iso) {
    var t = Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10));
    var dow = (new Date(t).getUTCDay() + 6) % 7;
    return new Date(t - dow * DAY).toISOString().slice(0, 10);
  }

  function keyValue(col, c, i, p, b, d) {
    switch (col) {
      case "campaign": return DIMS.campaign[c];
      case "influencer_id": return DIMS.influencer[i];
      case "name": return M.influencerNames[i];
      case "platform": case "influencer_type": case "category": case "gender":
        return DIMS[col][ATTR[col][i]];
      case "product": return p === undefined ? undefined : DIMS.product[p];
      case "brand": return b === undefined ? undefined : DIMS.brand[b];
      case "date": case "post_date": case "order_date": return d === undefined ? undefined : isoOfDay(d);
      case "month": return d === undefined ? undefined : isoOfDay(d).slice(0, 8) + "01";
      case "week": return d === undefined ? undefined : weekStart(isoOfDay(d));
      default: return undefined;
    }
  }

  function keyString(values) { return values.join("\u0001"); }

  function newGroup() {
    return { attributed_revenue: 0, attributed_orders: 0, control_revenue: 0,
      control_orders: 0, spend: 0, spendBad: false, cells: [], rows: 0, posts: 0,
      reach: 0, likes: 0, comments: 0, follower_impressions: 0, postRows: 0, inf: {} };
  }

  // Aggregations are shared by the tiles, trends, tables and charts of a page: memoised
  // per selection, grouping and key function (cleared when the filters change).
  var memo = {};
  var memoSize = 0;
  function clearMemo() { memo = {}; memoSize = 0; }

  function aggregateOrders(sel, keys, keyFn, fnId) {
    if (keyFn && !fnId) { return aggregateOrdersNow(sel, keys, keyFn); }
    var key = JSON.stringify([sel.dims, sel.sets, sel.from, sel.to, keys, fnId || ""]);
    if (!Object.prototype.hasOwnProperty.call(memo, key)) {
      if (memoSize > 400) { clearMemo(); }
      memo[key] = aggregateOrdersNow(sel, keys, keyFn);
      memoSize++;
    }
    return memo[key];
  }

  // Sums of the orders grain and whole-cell spend per group of `keys`.
  // keyFn(c, i, p, b, d) -> key string (or null to skip) lets callers group by windows.
  function aggregateOrdersNow(sel, keys, keyFn) {
    var groups = {};
    var cellLevel = keys.every(function (k) { return has(CELL_KEYS, k); });
    var fn = keyFn || function (c, i, p, b, d) {
      var vals = [];
      for (var j = 0; j < keys.length; j++) { vals.push(keyValue(keys[j], c, i, p, b, d)); }
      return keyString(vals);
    };
    var selCount = new Int32Array(NC);
    var cellGroup = new Array(NC);
    var MIXED = {};
    for (var r = 0; r < NO; r++) {
      var c = O.c[r], i = O.i[r];
      if (!cellPasses(sel, c, i) || !rowGrainPasses(sel, r)) { continue; }
      var key = fn(c, i, O.p[r], O.b[r], O.d[r]);
      if (key === null) { continue; }
      var g = groups[key] || (groups[key] = newGroup());
      g.attributed_revenue += O.attributed_revenue[r];
      g.attributed_orders += O.attributed_orders[r];
      g.control_revenue += O.control_revenue[r];
      g.control_orders += O.control_orders[r];
      g.rows++;
      g.inf[i] = true;
      var cell = rowCell[r];
      if (cell >= 0) {
        selCount[cell]++;
        if (cellGroup[cell] === undefined) { cellGroup[cell] = key; }
        else if (cellGroup[cell] !== key) {
          if (cellGroup[cell] !== MIXED) { (groups[cellGroup[cell]]).spendBad = true; }
          cellGroup[cell] = MIXED;
          g.spendBad = true;
        }
      }
    }
    var meta = { unplacedSpend: 0, cutCells: 0 };
    for (var x = 0; x < NC; x++) {
      var cc = C.c[x], ii = C.i[x];
      if (!cellPasses(sel, cc, ii)) { continue; }
      var spend = C.spend[x] || 0;
      var target = null;
      if (cellRows[x] === 0) {
        // A cell without orders has no day or product; its brand is its campaign's.
        var brandOk = !sel.sets.brand || (cellBrand && CODES.brand[cellBrand[x]] !== undefined &&
          sel.sets.brand[CODES.brand[cellBrand[x]]]);
        if (cellLevel && !keyFn && brandOk && !sel.sets.product && sel.from === null) {
          target = fn(cc, ii);
        } else {
          if (brandOk && spend) { meta.unplacedSpend += spend; }
          continue;
        }
      } else if (selCount[x] === 0) {
        continue;
      } else if (selCount[x] < cellRows[x] || cellGroup[x] === MIXED) {
        meta.cutCells++;
        if (cellGroup[x] !== MIXED && groups[cellGroup[x]]) { groups[cellGroup[x]].spendBad = true; }
        continue;
      } else {
        target = cellLevel && !keyFn ? fn(cc, ii) : cellGroup[x];
      }
      var gg = groups[target] || (groups[target] = newGroup());
      gg.spend += spend;
      gg.cells.push(x);
      gg.inf[ii] = true;
    }
    return { groups: groups, meta: meta };
  }

  var POST_KEYS = ["campaign", "influencer_id", "name", "platform", "influencer_type",
    "category", "gender", "date", "post_date", "month", "week"];

  function postsSupported(sel, keys) {
    if (!P) { return false; }
    if (sel.sets.brand || sel.sets.product) { return false; }
    return keys.every(function (k) { return has(POST_KEYS, k); });
  }

  function aggregatePosts(sel, keys, into) {
    var n = P.d.length;
    for (var r = 0; r < n; r++) {
      var c = P.c[r], i = P.i[r], d = P.d[r];
      if (i < 0) { continue; }
      if (sel.sets.campaign && (c < 0 || !sel.sets.campaign[c])) { continue; }
      if (!cellPasses({ sets: { influencer: sel.sets.influencer, platform: sel.sets.platform,
        influencer_type: sel.sets.influencer_type, category: sel.sets.category,
        gender: sel.sets.gender } }, c, i)) { continue; }
      if (sel.from !== null && (d < sel.from || d > sel.to)) { continue; }
      var vals = [];
      for (var j = 0; j < keys.length; j++) {
        vals.push(keys[j] === "campaign" && c < 0 ? null : keyValue(keys[j], c, i, undefined, undefined, d));
      }
      var key = keyString(vals);
      var g = into[key] || (into[key] = newGroup());
      g.posts += 1;
      g.postRows += 1;
      g.reach += P.reach[r];
      g.likes += P.likes[r];
      g.comments += P.comments[r];
      g.follower_impressions += P.follower_impressions[r];
    }
  }

  function ratio(name, g) {
    var def = SEM.ratios[name];
    var den = def.den === "engagements" ? g.likes + g.comments : g[def.den];
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
  function groupValue(col, g, postsOk) {
    if (has(["attributed_revenue", "attributed_orders", "control_revenue", "control_orders"], col)) {
      return g[col];
    }
    if (col === "spend") { return g.spendBad ? null : g.spend; }
    if (col === "influencers") { return Object.keys(g.inf).length; }
    if (has(SEM.postsMeasures, col)) {
      if (!postsOk) { return null; }
      return col === "engagements" ? g.likes + g.comments : g[col];
    }
    if (SEM.ratios[col]) {
      var def = SEM.ratios[col];
      var needsPosts = has(SEM.postsMeasures, def.den) || has(SEM.postsMeasures, def.num[0]) ||
        def.num.indexOf("likes") >= 0;
      if (needsPosts && !postsOk) { return null; }
      var gg = g;
      if (g.spendBad && (def.den === "spend" || def.num.join().indexOf("spend") >= 0)) { return null; }
      return ratio(col, gg);
    }
    if (SEM.flags[col]) {
      var rv = groupValue(SEM.flags[col].ratio, g, postsOk);
      return rv === null ? null : rv < M.config[SEM.flags[col].below];
    }
    return undefined;
  }

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

  // ------------------------------------------------------------ components --

  function badge(verdict) {
    var span = el("span", "badge badge-" + (verdict ? String(verdict).replace(/[^a-z]/g, "") : "unknown"),
      verdict || "—");
    return span;
  }

  function isModelled(row) {
    var m = row.iroas_method !== undefined ? row.iroas_method : row.method;
    return m === "modelled";
  }

  function iroasCell(td, row) {
    if (isModelled(row)) {
      td.appendChild(el("span", "assumed", "assumed"));
      var band = (row.assumed_iroas_low !== undefined && row.assumed_iroas_low !== null)
        ? Fmt.ratio(row.assumed_iroas_low) + "–" + Fmt.ratio(row.assumed_iroas_high) : "";
      td.appendChild(el("small", "ci", (band ? band + " " : "") + "assumed, not measured"));
      return;
    }
    td.appendChild(document.createTextNode(Fmt.ratio(row.iroas)));
    if (row.iroas_ci_low !== undefined && row.iroas_ci_low !== null) {
      td.appendChild(el("small", "ci", Fmt.ratio(row.iroas_ci_low) + " – " + Fmt.ratio(row.iroas_ci_high)));
    }
  }

  var NUMERIC = ["money", "money2", "count", "ratio", "percent", "pct", "share", "p", "number", "id"];
  var ADDITIVE = ["attributed_revenue", "attributed_orders", "control_revenue", "control_orders",
    "spend", "posts", "reach", "likes", "comments", "engagements", "follower_impressions",
    "total_payout", "expected_payout", "payout_gap", "incremental_revenue",
    "rows_read", "rows_loaded", "rows_rejected", "rows_flagged", "gaps_flagged", "n_exposed", "n_control", "recorded_orders",
    "exposed_revenue", "exposed_orders"];

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
    if (c.name === "iroas" && (has(Object.keys(row), "iroas_ci_low") || isModelled(row))) {
      iroasCell(td, row);
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
      rows.forEach(function (row) { if (typeof row[k] === "number") { total += row[k]; } else if (row[k] === null && k === "spend") { ok = false; } });
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
        if (need.every(function (t) { return Object.prototype.hasOwnProperty.call(sums, t) ||
          (t === "engagements" && has(keys, "likes")); })) {
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

  var TIME_METRICS = ["attributed_revenue", "attributed_orders", "aov", "control_revenue",
    "control_orders"];
  var SPEND_METRICS = ["spend", "roas", "roi", "cpa", "iroas"];

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
      trend = has(TIME_METRICS, spec.value) ? "time" : has(SPEND_METRICS, spec.value) ? "campaign" : "none";
    }
    this.trend = trend;
  }

  // sum="true": rows with the same value of `by` (all rows when no `by`) summed, per column
  function sumRows(rows, by, cols) {
    var order = [], groups = {};
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
    if (spec.value === "iroas") {
      if (isModelled(row)) {
        this.value.textContent = "assumed";
        var band = row.assumed_iroas_low !== null && row.assumed_iroas_low !== undefined
          ? Fmt.ratio(row.assumed_iroas_low) + "–" + Fmt.ratio(row.assumed_iroas_high) + " · " : "";
        this.detail.appendChild(el("span", "assumed", band + "assumed, not measured"));
      } else {
        this.value.textContent = Fmt.ratio(value);
        if (row.iroas_ci_low !== null && row.iroas_ci_low !== undefined) {
          this.detail.appendChild(el("span", null, "95% CI " + Fmt.ratio(row.iroas_ci_low) + " – " +
            Fmt.ratio(row.iroas_ci_high) + " "));
        }
        if (row.iroas_verdict) { this.detail.appendChild(badge(row.iroas_verdict)); }
        if (value === null || value === undefined) {
          if (v.dims.length) {
            this.note.textContent = "iROAS needs whole cells: not shown for this selection. ";
            var link = el("a", null, "See the selected cells");
            link.setAttribute("href", this.ctx.root + "incrementality.html" + queryString(state));
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

  // Value of the KPI's metric for one group of the orders grain.
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
    if (this.trend === "time") { this.timeTrend(); } else { this.campaignTrend(); }
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
    var res = aggregateOrders(sel, [], function (c, i, p, b, d) {
      return String(Math.floor((end - d) / len));
    }, "window:" + end + ":" + len);
    var series = [];
    for (var k = count - 1; k >= 0; k--) {
      var g = res.groups[String(k)] || newGroup();
      series.push({ label: isoOfDay(end - (k + 1) * len + 1) + " – " + isoOfDay(end - k * len), value: this.metric(g) });
    }
    drawSpark(this.spark, series.map(function (s) { return s.value; }));
    var current, previous, label;
    if (state.from || state.to) {
      var cur = aggregateOrders(Selection(state, dims, [start, end]), []).groups[""] || newGroup();
      var prevSel = Selection(state, dims, [start - span, start - 1]);
      var prev = aggregateOrders(prevSel, []).groups[""] || newGroup();
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

  KPI.prototype.campaignTrend = function () {
    var dims = activeDims(state, this.ctx.fixed || []);
    var sel = Selection(state, dims);
    var res = aggregateOrders(sel, ["campaign"]);
    var self = this;
    var list = [];
    Object.keys(res.groups).forEach(function (key) {
      var code = CODES.campaign[key];
      var startDate = M.campaignStart[code];
      if (!startDate) { return; }  // e.g. (unallocated): no dates
      var g = res.groups[key];
      var unit = g.spendBad ? null : unitOf(g.cells);
      list.push({ name: key, start: startDate, g: g, unit: unit });
    });
    list.sort(function (a, b) { return a.start < b.start ? -1 : a.start > b.start ? 1 : a.name.localeCompare(b.name); });
    if (this.spec.value === "iroas") {
      drawIntervals(this.spark, list.map(function (x) { return x.unit; }), M.config.breakeven);
      var n = list.length;
      if (n > 1 && list[n - 1].unit && list[n - 2].unit) {
        this.showDelta(list[n - 1].unit.iroas, list[n - 2].unit.iroas, "latest campaign vs the one before");
      }
      this.spark.title = "iROAS interval of each campaign, in launch order";
      return;
    }
    var values = list.map(function (x) { return self.metric(x.g); });
    drawSpark(this.spark, values, true);
    this.spark.title = "per campaign, in launch order";
    var m = values.length;
    if (m > 1) { this.showDelta(values[m - 1], values[m - 2], "latest campaign vs the one before"); }
  };

  KPI.prototype.showDelta = function (current, previous, label) {
    if (!isNum(current) || !isNum(previous)) {
      this.delta.textContent = label ? "no earlier period to compare" : "";
      this.delta.className = "kpi-delta muted";
      return;
    }
    var fmt = this.spec.fmt;
    var diff = current - previous;
    var text;
    if (fmt === "ratio") {
      text = (diff >= 0 ? "+" : "") + Fmt.ratio(diff);
    } else if (fmt === "percent" || fmt === "pct") {
      text = (diff >= 0 ? "+" : "") + groupDigits(fmt === "percent" ? diff * 100 : diff, 1, false) + " pts";
    } else if (previous) {
      text = (diff >= 0 ? "+" : "") + Fmt.percent(diff / Math.abs(previous));
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

  function drawIntervals(box, units, reference) {
    var items = units.filter(function (u) { return u && isNum(u.iroas_ci_low) && isNum(u.iroas_ci_high); });
    if (!items.length) { return; }
    var w = 120, h = 28, pad = 3;
    var lo = Math.min(reference, Math.min.apply(null, items.map(function (u) { return u.iroas_ci_low; })));
    var hi = Math.max(reference, Math.max.apply(null, items.map(function (u) { return u.iroas_ci_high; })));
    function y(v) { return h - pad - (v - lo) * (h - 2 * pad) / ((hi - lo) || 1); }
    var svg = svgEl("svg", { viewBox: "0 0 " + w + " " + h, width: w, height: h, class: "spark" });
    svg.appendChild(svgEl("line", { x1: 0, x2: w, y1: y(reference), y2: y(reference), class: "spark-ref" }));
    var step = (w - 2 * pad) / Math.max(1, units.length - 1);
    units.forEach(function (u, i) {
      if (!u || !isNum(u.iroas_ci_low)) { return; }
      var cx = pad + i * step;
      svg.appendChild(svgEl("line", { x1: cx, x2: cx, y1: y(u.iroas_ci_low), y2: y(u.iroas_ci_high),
        class: "spark-ci spark-" + String(u.iroas_verdict || "").replace(/[^a-z]/g, "") }));
      svg.appendChild(svgEl("circle", { cx: cx, cy: y(u.iroas), r: 1.8, class: "spark-dot" }));
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
    return { tickmode: "array", tickvals: ticks, ticktext: ticks.map(function (t) {
      return Fmt.moneyCompact(t).replace(/\.0(?=\D*$)/, "");
    }), rangemode: "tozero" };
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
        if (SEM.dimensionColumns[dim] === col && dim !== "influencer") { dims.push(dim); }
      });
    });
    if ((spec.type === "BarChart" && spec.x === "name") || spec.type === "ScatterChart" ||
        spec.type === "ForestPlot") {
      if (has(q.columns, "influencer_id") && (spec.type !== "ForestPlot" || spec.key === "influencer_id")) {
        dims.push("influencer");
      }
    }
    if (spec.type === "ForestPlot" && spec.key && spec.key !== "influencer_id") {
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
    applyState();
  }

  function selected(dim, value) {
    return !state[dim].length || has(state[dim], String(value));
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
    var byInfluencer = spec.x === "name" && rows.length && rows[0].influencer_id !== undefined;
    if (byInfluencer) { dim = "influencer"; }
    var keys = rows.map(function (row) { return byInfluencer ? String(row.influencer_id) : String(row[spec.x]); });
    var labels = rows.map(function (row) {
      return esc(spec.formats[spec.x] === "date" ? row[spec.x] : short(row[spec.x], 28));
    });
    var cats = byInfluencer ? keys.map(function (k, i) { return k + "\u200b" + i; }) : labels;
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
        var w = labelMargin(plain);  // angled labels reach left of the first bar
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
    // ROAS to date per series: cumulative revenue ÷ the series' whole spend.
    var spec = this.spec;
    var dims = activeDims(state, this.ctx.fixed || []);
    if (!dims.length) { return rows; }
    var q = this.ctx.queries[spec.data];
    var series = spec.series;
    var sel = Selection(state, dims.filter(function (d) { return d !== "date"; }));
    var byDay = aggregateOrders(sel, series ? [series, spec.x] : [spec.x]);
    var bySeries = aggregateOrders(sel, series ? [series] : []);
    var keep = {};
    q.rows.forEach(function (row) { keep[series ? row[series] : ""] = true; });
    var points = [];
    Object.keys(byDay.groups).forEach(function (key) {
      var parts = key.split("\u0001");
      var s = series ? parts[0] : "";
      if (!keep[s]) { return; }
      points.push({ s: s, x: parts[series ? 1 : 0], g: byDay.groups[key] });
    });
    points.sort(function (a, b) { return a.x < b.x ? -1 : a.x > b.x ? 1 : 0; });
    var cum = {};
    var out = [];
    var notes = false;
    points.forEach(function (p) {
      var c = cum[p.s] || (cum[p.s] = newGroup());
      c.attributed_revenue += p.g.attributed_revenue;
      c.attributed_orders += p.g.attributed_orders;
      var total = bySeries.groups[p.s];
      c.spend = total && !total.spendBad ? total.spend : null;
      c.spendBad = !total || total.spendBad;
      if (c.spendBad) { notes = true; }
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
    var groups = {};
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
    var inf = pts.length && pts[0].influencer_id !== undefined && spec.crossfilter !== false;
    var trace = {
      type: "scatter", mode: "markers",
      x: pts.map(function (r) { return r[spec.x]; }), y: pts.map(function (r) { return r[spec.y]; }),
      text: pts.map(function (r) { return esc(spec.label ? r[spec.label] : ""); }),
      customdata: pts.map(function (r) {
        return [inf ? "influencer" : null, inf ? String(r.influencer_id) : null,
          Fmt.format(r[spec.x], xf), Fmt.format(r[spec.y], yf),
          spec.color ? Fmt.format(r[spec.color], spec.formats[spec.color] || "number") : ""];
      }),
      hovertemplate: "%{text}<br>" + esc(titleOf(spec.x)) + ": %{customdata[2]}<br>" +
        esc(titleOf(spec.y)) + ": %{customdata[3]}" + (spec.color ? "<br>" + esc(titleOf(spec.color)) + ": %{customdata[4]}" : "") + "<extra></extra>",
      marker: { size: 8, opacity: pts.map(function (r) { return !inf || selected("influencer", r.influencer_id) ? 0.85 : 0.25; }),
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
      var mid = spec.color === "roas" ? M.config.poor_roi_below : null;
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
    var titles = { attributed_revenue: "Revenue", spend: "Payout", roas: "ROAS", iroas: "iROAS",
      engagement_rate_reach: "ER by reach", engagement_rate_followers: "ER by followers",
      follower_count: "Followers", expected_payout: "Expected payout", total_payout: "Recorded payout",
      attributed_orders: "Orders" };
    return titles[col] || col.replace(/_/g, " ");
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
    var seen = {};
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
    var keyDim = keyCol ? dimOfColumn(keyCol) || (keyCol === "influencer_id" ? "influencer" : null) : null;
    var measured = rows.filter(function (r) {
      return !(methodCol && r[methodCol] === "modelled") && isNum(r[spec.estimate]);
    });
    var modelled = rows.filter(function (r) { return methodCol && r[methodCol] === "modelled"; });
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
        hovertemplate: "%{text}<br>iROAS %{customdata[2]} (95% CI %{customdata[3]})<extra>" + esc(v) + "</extra>"
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
    var valueAxis = { title: { text: "iROAS (95% interval)" }, zeroline: true };
    // Very wide intervals (tiny payouts) would squash the rest: the axis keeps the middle
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
        valueAxis.title.text = "iROAS (95% interval; the axis is cut at the widest intervals)";
      }
    }
    var layout = { hovermode: "closest", showlegend: true, barmode: "overlay",
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" } };
    if (many) {
      catAxis.showticklabels = false;
      catAxis.title = { text: "influencers, ordered by iROAS (hover for names)" };
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
    reset.addEventListener("click", function () { state = emptyState(); applyState(); });
    container.appendChild(reset);
    document.addEventListener("click", closeDropdowns);
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") { closeDropdowns(); } });
  }

  function refreshFilterBar() {
    dropdowns.forEach(function (d) { d.label(); if (!d.panel.hidden) { d.fill(); } });
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), function (input) {
      input.value = state[input.getAttribute("data-filter")] || "";
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-chips]"), function (box) {
      box.textContent = "";
      ["influencer", "category", "gender"].forEach(function (dim) {
        state[dim].forEach(function (value) {
          var chip = el("button", "chip");
          chip.type = "button";
          var shown = value;
          if (dim === "influencer") { shown = M.influencerNames[CODES.influencer[value]]; }
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
        var values = f === "influencer" ? state[f].map(function (v) { return M.influencerNames[CODES.influencer[v]]; }) : state[f];
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
    if (specs.some(function (s) { return s.data === "@posts"; })) {
      ctx.queries["@posts"] = postsResult();
    }
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

  var postsCache = null;
  function postsResult() {
    if (postsCache) { return postsCache; }
    var rows = [];
    if (P) {
      for (var r = 0; r < P.d.length; r++) {
        var i = P.i[r], c = P.c[r];
        if (i < 0) { continue; }
        var g = { likes: P.likes[r], comments: P.comments[r], reach: P.reach[r],
          follower_impressions: P.follower_impressions[r] };
        rows.push({
          post_date: isoOfDay(P.d[r]), campaign: c < 0 ? null : DIMS.campaign[c],
          influencer_id: DIMS.influencer[i], name: M.influencerNames[i],
          platform: DIMS.platform[ATTR.platform[i]], influencer_type: DIMS.influencer_type[ATTR.influencer_type[i]],
          category: DIMS.category[ATTR.category[i]], gender: DIMS.gender[ATTR.gender[i]],
          reach: g.reach, likes: g.likes, comments: g.comments, engagements: g.likes + g.comments,
          follower_impressions: g.follower_impressions,
          engagement_rate_reach: ratio("engagement_rate_reach", g),
          engagement_rate_followers: ratio("engagement_rate_followers", g)
        });
      }
    }
    postsCache = { name: "@posts", uid: "posts", rows: rows, columns: ["post_date", "campaign", "influencer_id", "name",
      "platform", "influencer_type", "category", "gender", "reach", "likes", "comments", "engagements",
      "follower_impressions", "engagement_rate_reach", "engagement_rate_followers"] };
    postsCache._keys = { keys: [], ok: false };
    return postsCache;
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
  ROAS.reset = function () { state = emptyState(); return applyState(); };

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
      p.textContent = M.builtAt ? "Data validated " + Fmt.date(M.builtAt) + " " + String(M.builtAt).slice(11, 16) + " UTC" : "";
    });
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
      var g = aggregateOrders(Selection(s, activeDims(s, [])), []).groups[""] || newGroup();
      var out = {};
      ["attributed_revenue", "attributed_orders", "control_revenue", "spend", "roas", "roi",
        "cpa", "aov"].forEach(function (m) { out[m] = groupValue(m, g, false); });
      var unit = g.spendBad ? null : unitOf(g.cells);
      out.iroas = unit ? unit.iroas : null;
      return out;
    }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
