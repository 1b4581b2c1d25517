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

