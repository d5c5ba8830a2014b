/* coder report: filters, map, timeline, tables and record list of the
 * records in the page's data (see coder/htmlreport/data.py for its form).
 *
 * Everything the page shows is counted here from the records that pass the
 * filters; coder/htmlreport/data.py's summarise() counts the same way in
 * Python, and the tests compare the two.  All text from the data goes into
 * the page as text (textContent), never as HTML.
 */
(function () {
  "use strict";

  var marks = [["script", performance.now()]];
  function mark(what) { marks.push([what, performance.now()]); }
  var D = JSON.parse(document.getElementById("report-data").textContent);
  mark("data parsed");
  var WORLD = JSON.parse(document.getElementById("world-data").textContent);
  var C = D.cols;
  var N = D.count;
  var NT = D.types.length;
  var NC = D.countries.length;
  var NA = D.actors.length;
  var NR = D.rules.length;
  var NP = D.places.length;
  var NB = D.bins.length;
  var NS = D.subtypes.length;
  var PAGE = 50;
  var ACTOR_ROWS = 100;
  var POPUP_ROWS = 25;
  var DAY = 86400000;

  var state = {
    types: new Set(D.types.map(function (_, i) { return i; })),
    subtype: -1, country: -1, actor: -1, place: -1, from: "", to: "",
    search: "", sort: "date", desc: true, page: 0, measure: "events"
  };
  var selected = new Int32Array(0);   // records passing the filters, in list order
  var listed = selected;              // ... and the search
  var counts = null;

  // -- per-record facts worked out once ------------------------------------

  var dateFrom = new Array(N), dateTo = new Array(N);
  for (var i = 0; i < N; i++) {
    var d = C.d[i];
    if (d.length === 10) { dateFrom[i] = d; dateTo[i] = d; }
    else if (d.length === 7) {
      var last = new Date(Date.UTC(+d.slice(0, 4), +d.slice(5, 7), 0)).getUTCDate();
      dateFrom[i] = d + "-01"; dateTo[i] = d + "-" + (last < 10 ? "0" : "") + last;
    } else { dateFrom[i] = ""; dateTo[i] = ""; }
  }
  mark("dates");
  var allDays = dateFrom.filter(Boolean).sort();
  var firstDay = allDays.length ? allDays[0] : "";
  var lastDay = dateTo.filter(Boolean).sort().pop() || "";

  function placeName(p) {
    var place = D.places[p];
    var name = place.names.length ? place.names.join(" / ") : place.lat.toFixed(2) + ", " + place.lon.toFixed(2);
    return place.country ? name + " (" + place.country + ")" : name;
  }

  var haystack = null;  // lower-case text of each record for the search, made on first use
  function searchText(i) {
    if (haystack === null) haystack = new Array(N);
    var h = haystack[i];
    if (h === undefined) {
      h = haystack[i] = [D.sentences[C.s[i]], D.actors[C.a1[i]], D.actors[C.a2[i]],
        D.texts[C.loc[i]], D.countries[C.c[i]], D.rules[C.r[i]], D.types[C.t[i]],
        D.texts[C.doc[i]], C.id[i], C.d[i], D.texts[C.x[i]]].join("\u0001").toLowerCase();
    }
    return h;
  }

  // -- list order: one sorted index per sort key, made when first asked for --

  var orders = {};
  function cmpText(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  var sortKeys = {
    date: function (i) { return C.d[i]; },
    type: function (i) { return D.types[C.t[i]]; },
    actors: function (i) { return D.actors[C.a1[i]] + "\u0000" + D.actors[C.a2[i]]; },
    place: function (i) { return C.p[i] >= 0 ? placeName(C.p[i]) : D.texts[C.loc[i]]; },
    fatalities: function (i) { return ("0000000000" + C.f[i]).slice(-10); },
    rule: function (i) { return D.rules[C.r[i]]; }
  };
  function order(key) {
    if (!orders[key]) {
      var keyOf = sortKeys[key];
      // ascending, empty values last, ties in data order: sort the distinct
      // values, then place each record by the rank of its value (counting
      // sort), which is linear in the records however many they are
      var keys = new Array(N), rankOf = new Map(), i;
      for (i = 0; i < N; i++) { keys[i] = keyOf(i); rankOf.set(keys[i], 0); }
      var distinct = Array.from(rankOf.keys()).sort(function (a, b) {
        if (a === "") return 1;
        if (b === "") return -1;
        return cmpText(a, b);
      });
      distinct.forEach(function (value, r) { rankOf.set(value, r); });
      var starts = new Int32Array(distinct.length + 1), ranks = new Int32Array(N);
      for (i = 0; i < N; i++) { ranks[i] = rankOf.get(keys[i]); starts[ranks[i] + 1]++; }
      for (i = 1; i < starts.length; i++) starts[i] += starts[i - 1];
      var idx = new Int32Array(N);
      for (i = 0; i < N; i++) idx[starts[ranks[i]]++] = i;
      orders[key] = idx;
    }
    return orders[key];
  }

  // -- filtering and counting -------------------------------------------------

  function passes(i) {
    if (!state.types.has(C.t[i])) return false;
    if (state.subtype >= 0 && C.se[i] !== state.subtype) return false;
    if (state.country >= 0 && C.c[i] !== state.country) return false;
    if (state.actor >= 0 && C.a1[i] !== state.actor && C.a2[i] !== state.actor) return false;
    if (state.place >= 0 && C.p[i] !== state.place) return false;
    if (state.from || state.to) {
      if (!dateFrom[i]) return false;
      if (state.from && dateTo[i] < state.from) return false;
      if (state.to && dateFrom[i] > state.to) return false;
    }
    return true;
  }

  function filter() {
    var idx = order(state.sort);
    var out = new Int32Array(N), n = 0, k;
    if (state.desc) {
      // descending, empty values still last
      var empty = [];
      for (k = N - 1; k >= 0; k--) {
        var i = idx[k];
        if (!passes(i)) continue;
        if (sortKeys[state.sort](i) === "") empty.push(i); else out[n++] = i;
      }
      for (k = empty.length - 1; k >= 0; k--) out[n++] = empty[k];
    } else {
      for (k = 0; k < N; k++) if (passes(idx[k])) out[n++] = idx[k];
    }
    selected = out.subarray(0, n);
  }

  function count() {
    var c = {
      records: selected.length, noCoords: 0, noDate: 0,
      byType: new Int32Array(NT), typeCountry: new Int32Array(NT * NC),
      actors: new Int32Array(NA * 2), rules: new Int32Array(NR),
      places: new Int32Array(NP * NT), bins: new Int32Array(NB * NT),
      fatal: 0, fatalCountry: new Float64Array(NC), fatalPlaces: new Float64Array(NP),
      fatalBins: new Float64Array(NB * NT)
    };
    for (var k = 0; k < selected.length; k++) {
      var i = selected[k], t = C.t[i];
      c.byType[t]++;
      c.typeCountry[t * NC + C.c[i]]++;
      if (C.a1[i]) c.actors[C.a1[i] * 2]++;
      if (C.a2[i]) c.actors[C.a2[i] * 2 + 1]++;
      c.rules[C.r[i]]++;
      if (C.p[i] < 0) c.noCoords++; else c.places[C.p[i] * NT + t]++;
      if (C.b[i] < 0) c.noDate++; else c.bins[C.b[i] * NT + t]++;
      var f = C.f[i];
      if (f) {
        c.fatal += f; c.fatalCountry[C.c[i]] += f;
        if (C.p[i] >= 0) c.fatalPlaces[C.p[i]] += f;
        if (C.b[i] >= 0) c.fatalBins[C.b[i] * NT + t] += f;
      }
    }
    return c;
  }

  // -- small DOM helpers --------------------------------------------------------

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "class") e.className = attrs[k];
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    if (children) children.forEach(function (ch) {
      if (ch !== null && ch !== undefined) e.appendChild(typeof ch === "string" ? document.createTextNode(ch) : ch);
    });
    return e;
  }
  function swatch(t) { var s = el("span", {"class": "swatch"}); s.style.background = D.colours[t]; return s; }
  function fmt(n) { return n.toLocaleString("en-US"); }
  function plural(n, one, many) { return fmt(n) + " " + (n === 1 ? one : (many || one + "s")); }
  function esc(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
  function byId(id) { return document.getElementById(id); }

  // -- filters --------------------------------------------------------------------

  var totalsBySubtype = new Int32Array(NS);
  for (i = 0; i < N; i++) totalsBySubtype[C.se[i]]++;
  var totalsByType = new Int32Array(NT), totalsByCountry = new Int32Array(NC), totalsByActor = new Int32Array(NA);
  for (i = 0; i < N; i++) {
    totalsByType[C.t[i]]++; totalsByCountry[C.c[i]]++;
    totalsByActor[C.a1[i]]++; if (C.a2[i] !== C.a1[i]) totalsByActor[C.a2[i]]++;
  }

  function buildFilters() {
    var box = byId("f-types");
    D.types.forEach(function (name, t) {
      var input = el("input", {type: "checkbox", value: String(t), "data-type": name});
      input.checked = true;
      input.addEventListener("change", function () {
        if (input.checked) state.types.add(t); else state.types.delete(t);
        changed();
      });
      box.appendChild(el("label", {"class": "type-choice"}, [input, swatch(t), name + " ", el("span", {"class": "n", text: "(" + fmt(totalsByType[t]) + ")"})]));
    });
    byId("f-types-all").addEventListener("click", function () { setTypes(true); });
    byId("f-types-none").addEventListener("click", function () { setTypes(false); });

    var subtype = byId("f-subtype");
    sortedIndexes(D.subtypes).forEach(function (k) {
      subtype.appendChild(el("option", {value: String(k), text: D.subtypes[k] + " (" + fmt(totalsBySubtype[k]) + ")"}));
    });
    subtype.addEventListener("change", function () { state.subtype = +subtype.value; changed(); });
    document.querySelectorAll("input[name=measure]").forEach(function (input) {
      input.addEventListener("change", function () {
        if (!input.checked) return;
        state.measure = input.value;
        changed();
      });
    });
    byId("download").addEventListener("click", download);

    var country = byId("f-country");
    sortedIndexes(D.countries).forEach(function (c) {
      country.appendChild(el("option", {value: String(c), text: D.countries[c] + " (" + fmt(totalsByCountry[c]) + ")"}));
    });
    country.addEventListener("change", function () { state.country = +country.value; changed(); });

    var actor = byId("f-actor");
    sortedIndexes(D.actors).forEach(function (a) {
      if (a === 0) return;  // the empty actor
      actor.appendChild(el("option", {value: String(a), text: D.actors[a] + " (" + fmt(totalsByActor[a]) + ")"}));
    });
    actor.addEventListener("change", function () { state.actor = +actor.value; changed(); });

    ["from", "to"].forEach(function (which) {
      var input = byId("f-" + which);
      if (firstDay) { input.min = firstDay; input.max = lastDay; }
      input.addEventListener("change", function () { state[which] = input.value; changed(); });
    });
    byId("f-reset").addEventListener("click", resetFilters);
    byId("f-place-clear").addEventListener("click", function () { state.place = -1; changed(); });
  }

  function sortedIndexes(names) {
    return names.map(function (_, i) { return i; }).sort(function (a, b) {
      return names[a].localeCompare(names[b]);
    });
  }

  function setTypes(on) {
    document.querySelectorAll("#f-types input").forEach(function (input) {
      input.checked = on;
      var t = +input.value;
      if (on) state.types.add(t); else state.types.delete(t);
    });
    changed();
  }

  function resetFilters() {
    state.country = state.actor = state.place = state.subtype = -1;
    state.from = state.to = "";
    byId("f-country").value = "-1"; byId("f-actor").value = "-1"; byId("f-subtype").value = "-1";
    byId("f-from").value = ""; byId("f-to").value = "";
    setTypes(true);
  }

  function setFilter(which, value) {
    state[which] = value;
    if (which === "actor") byId("f-actor").value = String(value);
    if (which === "country") byId("f-country").value = String(value);
    if (which === "subtype") byId("f-subtype").value = String(value);
    if (which === "from" || which === "to") byId("f-" + which).value = value;
    changed();
  }

  // -- map ----------------------------------------------------------------------

  var CONFIG = {displaylogo: false, responsive: true, scrollZoom: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"]};

  var baseTrace = (function () {
    var lon = [], lat = [];
    WORLD.forEach(function (country) {
      country.rings.forEach(function (ring) {
        ring.forEach(function (p) { lon.push(p[0]); lat.push(p[1]); });
        lon.push(null); lat.push(null);
      });
    });
    return {type: "scattergeo", mode: "lines", lon: lon, lat: lat, fill: "toself",
      fillcolor: "#ebe7df", line: {color: "#a8a29a", width: 0.6}, hoverinfo: "skip",
      name: "countries", showlegend: false};
  })();

  // The part of the world that holds every place, widened to the shape of the
  // map box (Mercator: y = ln tan(pi/4 + lat/2)).
  function mapView(width, height) {
    var RAD = Math.PI / 180, LIMIT = 80;
    function y(lat) { return Math.log(Math.tan(Math.PI / 4 + lat * RAD / 2)); }
    function lat(y) { return (2 * Math.atan(Math.exp(y)) - Math.PI / 2) / RAD; }
    var lo0 = 180, lo1 = -180, la0 = LIMIT, la1 = -LIMIT;
    D.places.forEach(function (p) {
      lo0 = Math.min(lo0, p.lon); lo1 = Math.max(lo1, p.lon);
      la0 = Math.min(la0, Math.max(-LIMIT, p.lat)); la1 = Math.max(la1, Math.min(LIMIT, p.lat));
    });
    if (lo0 > lo1) { lo0 = -180; lo1 = 180; la0 = -60; la1 = LIMIT; }
    var pad = Math.max(2, (lo1 - lo0) * 0.15, (la1 - la0) * 0.15);
    lo0 = Math.max(-180, lo0 - pad); lo1 = Math.min(180, lo1 + pad);
    var y0 = y(Math.max(-LIMIT, la0 - pad)), y1 = y(Math.min(LIMIT, la1 + pad));
    var xSpan = (lo1 - lo0) * RAD, ySpan = y1 - y0, want = width / Math.max(1, height);
    if (xSpan / ySpan < want) {  // too tall: widen
      var grow = (ySpan * want / RAD - (lo1 - lo0)) / 2;
      lo0 = Math.max(-180, lo0 - grow); lo1 = Math.min(180, lo1 + grow);
    } else {  // too wide: heighten
      var more = (xSpan / want - ySpan) / 2;
      y0 = Math.max(y(-LIMIT), y0 - more); y1 = Math.min(y(LIMIT), y1 + more);
    }
    return {lat: [lat(y0), lat(y1)], lon: [lo0, lo1]};
  }
  var VIEW = null;

  function markerTrace(c) {
    var pts = [], max = 1, p, t;
    for (p = 0; p < NP; p++) {
      var total = 0;
      for (t = 0; t < NT; t++) total += c.places[p * NT + t];
      if (total > max) max = total;
    }
    for (p = 0; p < NP; p++) {
      var kinds = [];
      for (t = 0; t < NT; t++) if (c.places[p * NT + t]) kinds.push(t);
      if (!kinds.length) continue;
      kinds.sort(function (a, b) { return c.places[p * NT + b] - c.places[p * NT + a] || a - b; });
      var rest = 0;
      kinds.forEach(function (t) { rest += c.places[p * NT + t]; });
      var hover = "<b>" + esc(placeName(p)) + "</b><br>" + plural(rest, "event") + ": " +
        kinds.map(function (t) { return esc(D.types[t]) + " " + fmt(c.places[p * NT + t]); }).join(", ") +
        "<br>" + plural(c.fatalPlaces[p], "fatality", "fatalities");
      // one marker per event type present, nested: the outer one is all the
      // place's events, each inner one what is left without the types outside it
      kinds.forEach(function (t) {
        pts.push({p: p, t: t, n: rest, hover: hover});
        rest -= c.places[p * NT + t];
      });
    }
    pts.sort(function (a, b) { return b.n - a.n; });  // small markers on top
    return {type: "scattergeo", mode: "markers", name: "events",
      lon: pts.map(function (q) { return D.places[q.p].lon; }),
      lat: pts.map(function (q) { return D.places[q.p].lat; }),
      customdata: pts.map(function (q) { return q.p; }),
      text: pts.map(function (q) { return D.types[q.t]; }),
      hovertext: pts.map(function (q) { return q.hover; }),
      hovertemplate: "%{hovertext}<extra></extra>",
      marker: {size: pts.map(function (q) { return 6 + 26 * Math.sqrt(q.n / max); }),
        color: pts.map(function (q) { return D.colours[q.t]; }),
        line: {color: "#ffffff", width: 1}, opacity: 0.9, sizemode: "diameter"},
      showlegend: false};
  }

  function drawMap(c) {
    if (VIEW === null) { var box = byId("map"); VIEW = mapView(box.clientWidth, box.clientHeight); }
    var layout = {
      margin: {l: 0, r: 0, t: 0, b: 0}, showlegend: false, uirevision: "map",
      paper_bgcolor: "#ffffff", dragmode: "pan",
      geo: {projection: {type: "mercator"}, bgcolor: "#d7e6f0",
        showland: false, showocean: false, showcoastlines: false, showcountries: false,
        showlakes: false, showrivers: false, showsubunits: false, showframe: true, framecolor: "#9fb3c2",
        lataxis: {range: VIEW.lat}, lonaxis: {range: VIEW.lon}}
    };
    return Plotly.react("map", [baseTrace, markerTrace(c)], layout, CONFIG);
  }

  function showPopup(p, x, y) {
    var popup = byId("popup");
    popup.textContent = "";
    var mine = [];
    for (var k = 0; k < selected.length; k++) if (C.p[selected[k]] === p) mine.push(selected[k]);
    mine.sort(function (a, b) { return cmpText(C.d[a], C.d[b]); });
    var perType = {};
    mine.forEach(function (i) { perType[C.t[i]] = (perType[C.t[i]] || 0) + 1; });
    popup.appendChild(el("button", {"class": "close", "aria-label": "close", text: "×", onclick: hidePopup}));
    popup.appendChild(el("h3", {text: placeName(p)}));
    popup.appendChild(el("p", {"class": "popup-types"}, Object.keys(perType).map(function (t) {
      return el("span", {"class": "chip"}, [swatch(+t), D.types[t] + " " + fmt(perType[t])]);
    })));
    var list = el("ul", {"class": "popup-events"});
    mine.slice(0, POPUP_ROWS).forEach(function (i) {
      list.appendChild(el("li", {"data-record": String(i)}, [
        el("span", {"class": "date", text: C.d[i] || "no date"}), " ", swatch(C.t[i]),
        D.types[C.t[i]] + ": " + actorsText(i) + " ", el("span", {"class": "rule", text: D.rules[C.r[i]]})]));
    });
    popup.appendChild(list);
    if (mine.length > POPUP_ROWS) popup.appendChild(el("p", {"class": "more", text: "and " + plural(mine.length - POPUP_ROWS, "more event")}));
    popup.appendChild(el("button", {"class": "show-place", text: "Show " + (mine.length === 1 ? "this event" : "these " + fmt(mine.length) + " events") + " in the list",
      onclick: function () { hidePopup(); setFilter("place", p); byId("records").scrollIntoView(); }}));
    var box = byId("map-panel").getBoundingClientRect();
    popup.hidden = false;
    popup.dataset.place = String(p);
    popup.style.left = Math.max(4, Math.min(x - box.left + 12, box.width - popup.offsetWidth - 4)) + "px";
    popup.style.top = Math.max(4, y - box.top - 12) + "px";
  }
  function hidePopup() { byId("popup").hidden = true; }

  // -- timeline ---------------------------------------------------------------

  var binOrder = D.bins.map(function (_, b) { return b; }).sort(function (a, b) { return cmpText(D.bins[a], D.bins[b]); });
  function binSpan(label) {
    var start = Date.parse(label + "T00:00:00Z");
    if (D.unit === "day") return [start, start + DAY];
    if (D.unit === "week") return [start, start + 7 * DAY];
    var y = +label.slice(0, 4), m = +label.slice(5, 7);
    return [start, Date.UTC(y, m, 1)];
  }
  function binLabel(label) {
    return D.unit === "month" ? label.slice(0, 7) : D.unit === "week" ? "week of " + label : label;
  }

  function drawTimeline(c) {
    var traces = [], tallest = 0;
    var fatal = state.measure === "fatalities", bins = fatal ? c.fatalBins : c.bins;
    var what = fatal ? "fatalities" : "events";
    binOrder.forEach(function (b) {
      var n = 0;
      for (var t = 0; t < NT; t++) n += bins[b * NT + t];
      if (n > tallest) tallest = n;
    });
    for (var t = 0; t < NT; t++) {
      var x = [], y = [], w = [], cd = [], text = [];
      binOrder.forEach(function (b) {
        var n = bins[b * NT + t];
        if (!n) return;
        var span = binSpan(D.bins[b]);
        x.push((span[0] + span[1]) / 2); y.push(n); w.push((span[1] - span[0]) * 0.85);
        cd.push(D.bins[b]); text.push(binLabel(D.bins[b]));
      });
      if (!x.length) continue;
      // plotly reads a trace name as HTML-like text: an event type is text
      traces.push({type: "bar", name: esc(D.types[t]), x: x, y: y, width: w, customdata: cd,
        hovertext: text, hovertemplate: "%{hovertext}: %{y} " + (fatal ? "killed in " : "") + esc(D.types[t]) +
          "<extra></extra>",
        marker: {color: D.colours[t]}});
    }
    var layout = {
      barmode: "stack", margin: {l: 48, r: 12, t: 8, b: 40}, uirevision: "timeline",
      legend: {orientation: "h", y: -0.18}, showlegend: true,
      xaxis: {type: "date"},
      // events are counted whole: no tick at 0.5 when a bin holds one or two
      yaxis: {title: {text: what + " per " + D.unit}, rangemode: "tozero", fixedrange: true, tickformat: ",d",
        tick0: 0, dtick: tallest <= 8 ? 1 : null},
      paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff"
    };
    return Plotly.react("timeline", traces, layout, CONFIG);
  }

  // -- tables -----------------------------------------------------------------

  function numberCell(n, tag) { return el(tag || "td", {"class": n ? "num" : "num zero", text: fmt(n)}); }

  function drawTypeCountry(c) {
    var table = byId("table-type-country");
    table.textContent = "";
    var types = [];
    for (var t = 0; t < NT; t++) if (c.byType[t]) types.push(t);
    var rows = [];
    for (var k = 0; k < NC; k++) {
      var total = 0;
      types.forEach(function (t) { total += c.typeCountry[t * NC + k]; });
      if (total) rows.push({c: k, total: total});
    }
    rows.sort(function (a, b) { return b.total - a.total || D.countries[a.c].localeCompare(D.countries[b.c]); });
    table.appendChild(el("thead", null, [el("tr", null, [el("th", {text: "country"})].concat(
      types.map(function (t) { return el("th", {"class": "num", "data-type": D.types[t]}, [swatch(t), D.types[t]]); }),
      [el("th", {"class": "num", text: "total"}), el("th", {"class": "num", text: "fatalities"})]))]));
    var body = el("tbody");
    rows.forEach(function (r) {
      body.appendChild(el("tr", {"data-country": D.countries[r.c]}, [
        el("th", null, [el("a", {href: "#", text: D.countries[r.c], onclick: function (e) { e.preventDefault(); setFilter("country", r.c); }})])
      ].concat(types.map(function (t) { return numberCell(c.typeCountry[t * NC + r.c]); }), [numberCell(r.total),
        numberCell(c.fatalCountry[r.c])])));
    });
    table.appendChild(body);
    table.appendChild(el("tfoot", null, [el("tr", {"data-country": ""}, [el("th", {text: "total"})].concat(
      types.map(function (t) { return numberCell(c.byType[t], "td"); }), [numberCell(c.records), numberCell(c.fatal)]))]));
  }

  function drawActors(c) {
    var table = byId("table-actors");
    table.textContent = "";
    var rows = [];
    for (var a = 1; a < NA; a++) {
      var n1 = c.actors[a * 2], n2 = c.actors[a * 2 + 1];
      if (n1 || n2) rows.push({a: a, n1: n1, n2: n2, total: n1 + n2});
    }
    rows.sort(function (x, y) { return y.total - x.total || D.actors[x.a].localeCompare(D.actors[y.a]); });
    table.appendChild(el("thead", null, [el("tr", null, [el("th", {text: "actor"}), el("th", {"class": "num", text: "as actor1"}),
      el("th", {"class": "num", text: "as actor2"}), el("th", {"class": "num", text: "total"})])]));
    var body = el("tbody");
    rows.slice(0, ACTOR_ROWS).forEach(function (r) {
      body.appendChild(el("tr", {"data-actor": D.actors[r.a]}, [
        el("th", null, [el("a", {href: "#", text: D.actors[r.a], onclick: function (e) { e.preventDefault(); setFilter("actor", r.a); }})]),
        numberCell(r.n1), numberCell(r.n2), numberCell(r.total)]));
    });
    table.appendChild(body);
    if (rows.length > ACTOR_ROWS) {
      table.appendChild(el("tfoot", null, [el("tr", null, [el("td", {colspan: "4", "class": "more",
        text: "and " + plural(rows.length - ACTOR_ROWS, "more actor") + " (pick one with the actor filter)"})])]));
    }
  }

  function drawRules(c) {
    var table = byId("table-rules");
    table.textContent = "";
    var rows = [];
    for (var r = 0; r < NR; r++) if (c.rules[r]) rows.push(r);
    rows.sort(function (a, b) { return c.rules[b] - c.rules[a] || D.rules[a].localeCompare(D.rules[b]); });
    table.appendChild(el("thead", null, [el("tr", null, [el("th", {text: "rule"}), el("th", {"class": "num", text: "records"}),
      el("th", {"class": "num", text: "share"})])]));
    var body = el("tbody");
    rows.forEach(function (r) {
      body.appendChild(el("tr", {"data-rule": D.rules[r]}, [el("th", {text: D.rules[r] || "(no rule)"}), numberCell(c.rules[r]),
        el("td", {"class": "num", text: (100 * c.rules[r] / c.records).toFixed(1) + "%"})]));
    });
    table.appendChild(body);
  }

  // -- record list ------------------------------------------------------------

  function actorsText(i) {
    var a1 = D.actors[C.a1[i]], a2 = D.actors[C.a2[i]];
    return a2 ? (a1 || "?") + " → " + a2 : (a1 || "?");
  }

  function sentenceCell(i) {
    var s = D.sentences[C.s[i]], h0 = C.h0[i], h1 = C.h1[i];
    var parts = h0 >= 0 ? [s.slice(0, h0), el("mark", {text: s.slice(h0, h1)}), s.slice(h1)] : [s];
    var cell = el("td", {"class": "sentence"}, [el("div", null, parts)]);
    var missing = D.texts[C.mx[i]];
    if (missing) cell.appendChild(el("div", {"class": "unmatched"}, ["matched: ", el("mark", {text: missing})]));
    var about = [D.texts[C.doc[i]] + (C.si[i] >= 0 ? " #" + C.si[i] : ""), D.texts[C.src[i]], D.texts[C.x[i]], C.id[i]];
    cell.appendChild(el("div", {"class": "detail", text: about.filter(Boolean).join(" · ")}));
    return cell;
  }

  function placeCell(i) {
    var p = C.p[i];
    if (p >= 0) return el("td", {"class": "place"}, [placeName(p)]);
    var loc = D.texts[C.loc[i]];
    return el("td", {"class": "place"}, [loc ? loc + " " : "", el("span", {"class": "badge", text: "no coordinates"})]);
  }

  function applySearch() {
    var q = state.search.trim().toLowerCase();
    if (!q) { listed = selected; return; }
    var words = q.split(/\s+/);
    var out = new Int32Array(selected.length), n = 0;
    for (var k = 0; k < selected.length; k++) {
      var h = searchText(selected[k]), ok = true;
      for (var w = 0; w < words.length && ok; w++) ok = h.indexOf(words[w]) >= 0;
      if (ok) out[n++] = selected[k];
    }
    listed = out.subarray(0, n);
  }

  function drawList() {
    var pages = Math.max(1, Math.ceil(listed.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    var body = byId("record-rows");
    body.textContent = "";
    var start = state.page * PAGE;
    for (var k = start; k < Math.min(listed.length, start + PAGE); k++) {
      var i = listed[k];
      body.appendChild(el("tr", {"data-record": String(i), "data-event-id": C.id[i]}, [
        el("td", {"class": "date", text: C.d[i] || "—"}),
        el("td", {"class": "type"}, [swatch(C.t[i]), D.types[C.t[i]]]),
        el("td", {"class": "actors", text: actorsText(i)}),
        placeCell(i), el("td", {"class": "num fatalities", text: fmt(C.f[i])}), sentenceCell(i),
        el("td", {"class": "rule", text: D.rules[C.r[i]]})]));
    }
    if (!listed.length) body.appendChild(el("tr", null, [el("td", {colspan: "7", "class": "empty", text: "No record matches."})]));
    var shown = listed.length ? (start + 1) + "–" + Math.min(listed.length, start + PAGE) : "0";
    byId("list-status").textContent = shown + " of " + plural(listed.length, "record") +
      (state.search.trim() ? " matching the search (of " + fmt(selected.length) + " filtered)" : "");
    byId("page-info").textContent = "page " + (state.page + 1) + " of " + pages;
    byId("page-prev").disabled = state.page === 0;
    byId("page-next").disabled = state.page >= pages - 1;
    document.querySelectorAll("#record-table th[data-sort]").forEach(function (th) {
      th.setAttribute("aria-sort", th.dataset.sort === state.sort ? (state.desc ? "descending" : "ascending") : "none");
    });
  }

  function buildList() {
    var timer = null;
    byId("search").addEventListener("input", function (e) {
      clearTimeout(timer);
      timer = setTimeout(function () { state.search = e.target.value; state.page = 0; applySearch(); drawList(); }, 150);
    });
    byId("page-prev").addEventListener("click", function () { state.page--; drawList(); });
    byId("page-next").addEventListener("click", function () { state.page++; drawList(); });
    document.querySelectorAll("#record-table th[data-sort]").forEach(function (th) {
      th.addEventListener("click", function () {
        var key = th.dataset.sort;
        if (state.sort === key) state.desc = !state.desc; else { state.sort = key; state.desc = key === "date" || key === "fatalities"; }
        state.page = 0;
        filter(); applySearch(); drawList();
      });
    });
  }

  // -- download -----------------------------------------------------------------

  var NUMERIC = {latitude: 1, longitude: 1, fatalities: 1, sentence_index: 1};
  function csvCell(name, value) {
    var v = value === null || value === undefined ? "" : String(value);
    // a text cell a spreadsheet would read as a formula is kept as text (as --excel-safe does)
    if (!NUMERIC[name] && /^[=+\-@\t\r]/.test(v)) v = "'" + v;
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  function exportValue(i, name, extra) {
    var p = C.p[i];
    switch (name) {
      case "event_id": return C.id[i];
      case "event_date": return C.d[i];
      case "event_type": return D.types[C.t[i]] === "(no type)" ? "" : D.types[C.t[i]];
      case "acled_sub_event_type": return D.subtypes[C.se[i]] === "(no sub-event type)" ? "" : D.subtypes[C.se[i]];
      case "actor1": return D.actors[C.a1[i]];
      case "actor2": return D.actors[C.a2[i]];
      case "location": return D.texts[C.loc[i]];
      case "country": return D.countries[C.c[i]] === "(no country)" ? "" : D.countries[C.c[i]];
      case "latitude": return p >= 0 ? D.places[p].lat : "";
      case "longitude": return p >= 0 ? D.places[p].lon : "";
      case "fatalities": return C.f[i];
      case "rule_id": return D.rules[C.r[i]];
      case "doc_id": return D.texts[C.doc[i]];
      case "sentence_index": return C.si[i] >= 0 ? C.si[i] : "";
      case "source": return D.texts[C.src[i]];
      case "sentence": return D.sentences[C.s[i]];
      default: return extra[D.export_extra.indexOf(name)] || "";
    }
  }
  // The records the list holds (the filters and the search), every page, as CSV.
  function csvText() {
    var lines = [D.export_columns.join(",")];
    for (var k = 0; k < listed.length; k++) {
      var i = listed[k], extra = D.texts[C.ex[i]].split("\u001f");
      lines.push(D.export_columns.map(function (name) { return csvCell(name, exportValue(i, name, extra)); }).join(","));
    }
    return lines.join("\n") + "\n";
  }
  function download() {
    var url = URL.createObjectURL(new Blob([csvText()], {type: "text/csv;charset=utf-8"}));
    var a = el("a", {href: url, download: "records.csv"});
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  // -- putting it together ------------------------------------------------------

  function drawStatus(c) {
    var places = 0;
    for (var p = 0; p < NP; p++) {
      for (var t = 0; t < NT; t++) if (c.places[p * NT + t]) { places++; break; }
    }
    byId("status").textContent = "Showing " + fmt(c.records) + " of " + plural(N, "record") + " · " +
      plural(c.fatal, "fatality", "fatalities") + " · " + plural(places, "place") + " on the map · " + fmt(c.noCoords) + " without coordinates · " +
      fmt(c.noDate) + " without a date";
    byId("status").dataset.places = String(places);
    var note = byId("map-note");
    note.textContent = c.noCoords ? plural(c.noCoords, "record has", "records have") +
      " no coordinates: not on the map, but counted in the tables and listed below." : "";
    byId("timeline-note").textContent = (c.noDate ? plural(c.noDate, "record") + " without a date not on the timeline. " : "") +
      (D.unit !== "month" && C.d.some(function (d) { return d.length === 7; }) ? "Dates known only to the month are counted on the 15th." : "");
    var chip = byId("f-place");
    chip.hidden = state.place < 0;
    if (state.place >= 0) byId("f-place-name").textContent = placeName(state.place);
  }

  var busy = null;
  function changed() {
    var t0 = performance.now();
    state.page = 0;
    hidePopup();
    filter(); mark("filter");
    applySearch();
    counts = count(); mark("count");
    drawStatus(counts);
    drawTypeCountry(counts); drawActors(counts); drawRules(counts); mark("tables");
    drawList(); mark("list");
    var map = drawMap(counts); mark("map");
    var timeline = drawTimeline(counts); mark("timeline");
    busy = Promise.all([map, timeline]).then(function () {
      mark("drawn");
      api.updateMs = performance.now() - t0;
      api.updates++;
    });
    return busy;
  }

  var api = window.coderReport = {ready: false, loadMs: null, updateMs: null, updates: 0, marks: marks,
    state: state, setFilter: setFilter, reset: resetFilters,
    selectedCount: function () { return selected.length; }, csv: csvText};

  function start() {
    byId("subtitle").textContent = plural(N, "record") + " from " + D.files.join(", ") + " · made by " + D.generator;
    buildFilters();
    buildList();
    changed().then(function () {
      byId("map").on("plotly_click", function (ev) {
        var pt = ev.points && ev.points[0];
        if (!pt || pt.data.name !== "events") return;
        showPopup(pt.customdata, ev.event.clientX, ev.event.clientY);
      });
      byId("timeline").on("plotly_click", function (ev) {
        var pt = ev.points && ev.points[0];
        if (!pt) return;
        var span = binSpan(pt.customdata);
        state.from = byId("f-from").value = new Date(span[0]).toISOString().slice(0, 10);
        state.to = byId("f-to").value = new Date(span[1] - DAY).toISOString().slice(0, 10);
        changed();
      });
      document.addEventListener("keydown", function (e) { if (e.key === "Escape") hidePopup(); });
      api.loadMs = performance.now();
      api.ready = true;
      document.body.dataset.ready = "true";
    });
  }

  start();
})();
