/* The report in the browser: filters, cross-filtering, tables and charts.
 *
 * Loaded as a file (the Content-Security-Policy forbids inline script); the data come
 * from script files of the site (window.ROAS_MODEL, ROAS_PAGES, ROAS_TEMPLATES,
 * ROAS_GRAINS) and JSON blocks of the page: nothing is fetched, nothing goes to the
 * network. Every value from the data reaches the page through textContent or an
 * attribute set with setAttribute, never as markup; plotly gets HTML-escaped text.
 *
 * This code knows no table or column of the project: what it filters and sums is the
 * site model the dbt project declares (docs/meaning.md, "The site model").
 * Filtering (see docs/report.md):
 *  - a query result whose rows carry the filtered dimension is filtered row by row
 *    (the mart's own numbers, exact);
 *  - otherwise it is re-aggregated from the primary facts grain plus the measures of
 *    the cells: sums, and ratios of the sums with the marts' definitions;
 *  - cell measures are counted only for whole cells (a cell cut by a filter that is
 *    not fixed within it has none of its own), and the values of whole units (an
 *    estimate with its interval) only where the selection is exactly a cell or a
 *    declared unit; anything else shows "—" with a note, never an estimate.
 */
(function (app) {
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

  // A map keyed by values from the data: no prototype, so a value named "__proto__"
  // or "constructor" is a key like any other.
  function dict() { return Object.create(null); }

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
  // Mirrors reports/formatting.py: half-up rounding of the shortest decimal form (as
  // Python's Decimal does; Intl rounds the binary value, so 1.005 would show 1.00),
  // Indian digit grouping (12,34,567) for ₹ by Intl.NumberFormat, lakh and crore for
  // compact money.

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

  // Digit grouping is the browser's: en-IN groups lakh and crore (12,34,567). BigInt
  // keeps every digit of the already-rounded integer part exact.
  var GROUPING = {
    indian: new Intl.NumberFormat("en-IN", { useGrouping: true }),
    western: new Intl.NumberFormat("en-US", { useGrouping: true })
  };
  function group(intDigits, indian) {
    return (indian ? GROUPING.indian : GROUPING.western).format(BigInt(intDigits));
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

  // [unit, suffix] of compact money, largest first: lakh and crore for Indian currencies
  var COMPACT_UNITS = INDIAN ? [[1e7, " Cr"], [1e5, " L"]] : [[1e9, "B"], [1e6, "M"], [1e3, "K"]];

  function round1(x) { return parseFloat(roundDigits(x, 1).join(".")); }

  var Fmt = {
    money: function (v, decimals) {
      var t = groupDigits(v, decimals || 0, INDIAN);
      return t === MISSING ? t : withSymbol(t, CURRENCY);
    },
    moneyCompact: function (v) {
      if (!isNum(v)) { return MISSING; }
      var units = COMPACT_UNITS;
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
    // one money axis in one unit, the largest tick's: "₹50,000" beside "₹1 L" reads as two
    // scales. As many decimals as the ticks need, at most 2.
    moneyAxis: function (ticks) {
      var nums = ticks.filter(isNum);
      var top = nums.length ? Math.max.apply(null, nums.map(Math.abs)) : 0;
      var unit = null;
      for (var i = 0; i < COMPACT_UNITS.length && !unit; i++) {
        // thousands only from 10,000 on an axis, so "$800" is never "$0.8K"
        var from = COMPACT_UNITS[i][1] === "K" ? 1e4 : COMPACT_UNITS[i][0];
        if (top >= from) { unit = COMPACT_UNITS[i]; }
      }
      if (!unit) { return ticks.map(function (t) { return Fmt.money(t); }); }
      var decimals = 0;
      var exact = function (x) { return Math.abs(x - Math.round(x)) < 1e-9; };
      while (decimals < 2 && !nums.every(function (t) { return exact(t / unit[0] * Math.pow(10, decimals)); })) {
        decimals++;
      }
      return ticks.map(function (t) {
        if (!isNum(t)) { return MISSING; }
        if (t === 0) { return withSymbol("0", CURRENCY); }
        var text = groupDigits(t / unit[0], decimals, INDIAN);
        if (text.indexOf(".") >= 0) { text = text.replace(/0+$/, "").replace(/\.$/, ""); }
        return withSymbol(text, CURRENCY) + unit[1];
      });
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
  var CODES = {};
  Object.keys(DIMS).forEach(function (d) {
    var map = dict();
    DIMS[d].forEach(function (v, i) { map[String(v)] = i; });
    CODES[d] = map;
  });
  var ATTRS = M.attributes;  // filter -> {of: the filter it describes, codes: per code of it}
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

  // A table of the site model (a facts grain, the cells): the codes of every filter it
  // carries (its keys, the attributes of a keyed filter, attributes of its own), its
  // days (key `date`) and its measures.
  function Grain(data) {
    this.n = data.n;
    this.keys = data.keys;
    this.own = data.attributes || {};
    this.measures = data.measures || {};
    this.cache = {};
  }
  // Whether the filter is fixed by the keys (a key, or an attribute of one).
  Grain.prototype.fixes = function (dim) {
    return !!(this.keys[dim] || (ATTRS[dim] && this.keys[ATTRS[dim].of]));
  };
  // Codes of the filter per row (-1: none), or null when the rows do not carry it.
  Grain.prototype.codes = function (dim) {
    if (Object.prototype.hasOwnProperty.call(this.cache, dim)) { return this.cache[dim]; }
    var out = null;
    if (dim !== "date" && this.keys[dim]) { out = this.keys[dim]; }
    else if (this.own[dim]) { out = this.own[dim]; }
    else if (ATTRS[dim] && this.keys[ATTRS[dim].of]) {
      var of = this.keys[ATTRS[dim].of], map = ATTRS[dim].codes;
      out = new Int32Array(this.n);
      for (var r = 0; r < this.n; r++) { out[r] = of[r] < 0 ? -1 : map[of[r]]; }
    }
    this.cache[dim] = out;
    return out;
  };
  Grain.prototype.day = function (r) { return this.keys.date ? this.keys.date[r] : undefined; };

  var FACTS = new Grain(M.facts);
  var NO = FACTS.n;
  var CELLS = new Grain(M.cells);
  var NC = CELLS.n;
  var CELL_KEYS = Object.keys(M.cells.keys);
  // Cells are numbered by their key codes in mixed radix: the same number from a row.
  function cellNumber(grain, r) {
    var k = 0;
    for (var j = 0; j < CELL_KEYS.length; j++) {
      var code = grain.codes(CELL_KEYS[j])[r];
      if (code < 0) { return -1; }
      k = k * DIMS[CELL_KEYS[j]].length + code;
    }
    return k;
  }
  var cellOf = {};
  for (var ci = 0; ci < NC; ci++) { cellOf[cellNumber(CELLS, ci)] = ci; }
  var rowCell = new Int32Array(NO);
  var cellRows = new Int32Array(NC);
  for (var r = 0; r < NO; r++) {
    var k = cellOf[cellNumber(FACTS, r)];
    rowCell[r] = k === undefined ? -1 : k;
    if (k !== undefined) { cellRows[k]++; }
  }

  // Values of whole units (the declared unit values: an estimate, its interval and
  // verdict ...), of each cell and of each unit the project declares, in its order.
  function decodeAll(values, n) {
    var cols = {};
    Object.keys(values).forEach(function (key) { cols[key] = decodeColumn(values[key], n); });
    return cols;
  }
  var CELL_VALUES = decodeAll(M.cells.values, NC);
  // A unit's signature for a cell: the codes of the unit's keys in that cell.
  function signature(keys, x) {
    return keys.map(function (d) { var c = CELLS.codes(d); return c ? c[x] : -1; }).join("|");
  }
  var UNITS = M.units.map(function (u) {
    var keys = Object.keys(u.keys);
    var unit = { name: u.name, keys: keys, values: decodeAll(u.values, u.n), index: {}, cells: {},
      sequence: u.sequence ? decodeColumn(u.sequence, u.n) : null, sequenceLabel: u.sequenceLabel };
    for (var i = 0; i < u.n; i++) {
      unit.index[keys.map(function (d) { return u.keys[d][i]; }).join("|")] = i;
    }
    for (var x = 0; x < NC; x++) {
      var s = signature(keys, x);
      unit.cells[s] = (unit.cells[s] || 0) + 1;
    }
    return unit;
  });
  function unitNamed(name) {
    for (var j = 0; j < UNITS.length; j++) { if (UNITS[j].name === name) { return UNITS[j]; } }
    return null;
  }

  function unitValues(cols, i) {
    var out = {};
    SEM.unitValues.forEach(function (key) { out[key] = cols[key] ? cols[key][i] : null; });
    return out;
  }

  // The unit a set of whole cells is exactly (a cell, or every cell of a unit), or null.
  function unitOf(cells) {
    var n = cells.length;
    if (!n) { return null; }
    if (n === 1) { return unitValues(CELL_VALUES, cells[0]); }
    for (var j = 0; j < UNITS.length; j++) {
      var u = UNITS[j];
      var s0 = signature(u.keys, cells[0]);
      var same = u.cells[s0] === n;
      for (var x = 1; same && x < n; x++) { same = signature(u.keys, cells[x]) === s0; }
      if (same && u.index[s0] !== undefined) { return unitValues(u.values, u.index[s0]); }
    }
    return null;
  }

  // Further facts grains (their files are loaded by the pages that use them).
  var FURTHER = {};
  Object.keys(window.ROAS_GRAINS || {}).forEach(function (name) {
    FURTHER[name] = new Grain(window.ROAS_GRAINS[name]);
  });
  var PRIMARY = Object.keys(SEM.grains).filter(function (g) { return SEM.grains[g].primary; })[0];

  // for the files after this one
  app.ATTRS = ATTRS;
  app.CELLS = CELLS;
  app.CODES = CODES;
  app.CURRENCY = CURRENCY;
  app.DAY = DAY;
  app.DIMS = DIMS;
  app.FACTS = FACTS;
  app.FURTHER = FURTHER;
  app.Fmt = Fmt;
  app.LAST_DAY = LAST_DAY;
  app.M = M;
  app.NC = NC;
  app.NO = NO;
  app.PRIMARY = PRIMARY;
  app.ROAS = ROAS;
  app.SEM = SEM;
  app.cellRows = cellRows;
  app.dayOfIso = dayOfIso;
  app.decodeResult = decodeResult;
  app.dict = dict;
  app.el = el;
  app.esc = esc;
  app.groupDigits = groupDigits;
  app.has = has;
  app.isNum = isNum;
  app.isoOfDay = isoOfDay;
  app.rowCell = rowCell;
  app.short = short;
  app.unitNamed = unitNamed;
  app.unitOf = unitOf;
})(window.ROAS_APP = window.ROAS_APP || {});
