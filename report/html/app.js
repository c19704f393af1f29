// roofsim's HTML report: draws each chart from its ECharts option (the JSON
// block "charts") and makes the tables sortable and filterable. No request
// leaves the page.
(function () {
  "use strict";
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  function renderGantt(params, api) {
    var row = api.value(0);
    var a = api.coord([api.value(1), row]);
    var b = api.coord([api.value(2), row]);
    var h = api.size([0, 1])[1] * 0.7;
    var cs = params.coordSys;
    var shape = echarts.graphic.clipRectByRect(
      { x: a[0], y: a[1] - h / 2, width: Math.max(b[0] - a[0], 1), height: h },
      { x: cs.x, y: cs.y, width: cs.width, height: cs.height });
    // Every other kernel a little lighter: neighbours stay apart.
    var style = api.style();
    if (api.value(3) % 2 === 1) { style.opacity = 0.7; }
    return shape && { type: "rect", transition: [], shape: shape, style: style };
  }
  function formatter(name, spec) {
    var o = spec.Option;
    switch (name) {
      case "tip":
        return function (p) {
          var d = p.data || {};
          if (d.tip) { return d.tip; }
          if (typeof d.t === "number" && spec.Tips) { return spec.Tips[d.t]; }
          return esc(p.seriesName);
        };
      case "gantt":
        return function (p) {
          var v = p.value, k = spec.Kernels && spec.Kernels[v[3]];
          var lines = k ? k.split("|").map(esc) : ["(no kernel)"];
          lines[0] = "<b>" + lines[0] + "</b>";
          lines.push(esc(o.yAxis.data[v[0]]) + ": " + v[1].toFixed(4) + " to " + v[2].toFixed(4) +
            " ms (" + ((v[2] - v[1]) * 1000).toFixed(2) + " \u00b5s)");
          return lines.join("<br>");
        };
      case "heat":
        return function (p) {
          var v = p.value;
          return esc(o.yAxis.data[v[1]]) + " from " + esc(o.xAxis.data[v[0]]) + " ms: <b>" + v[2].toFixed(2) + " GB/s</b>";
        };
      case "lbl":
        return function (p) { return (p.data && p.data.lbl) || ""; };
    }
    return name;
  }
  function prepare(spec) {
    var o = spec.Option;
    if (o.tooltip) {
      o.tooltip.confine = true;
      o.tooltip.extraCssText = "max-width:560px;white-space:normal;";
    }
    if (o.tooltip && typeof o.tooltip.formatter === "string") {
      o.tooltip.formatter = formatter(o.tooltip.formatter, spec);
    }
    (o.series || []).forEach(function (s) {
      if (s.renderItem === "gantt") { s.renderItem = renderGantt; }
      if (s.label && typeof s.label.formatter === "string") {
        s.label.formatter = formatter(s.label.formatter, spec);
      }
    });
    return o;
  }
  var specs = JSON.parse(document.getElementById("charts").textContent);
  var charts = {};
  var drawn = {};
  window.roofsimCharts = charts;
  window.roofsimSpecs = {};
  specs.forEach(function (spec) { window.roofsimSpecs[spec.ID] = spec; });
  window.roofsimDrawn = function () { return Object.keys(drawn).length; };
  window.roofsimChartCount = specs.length;
  specs.forEach(function (spec) {
    var chart = echarts.init(document.getElementById(spec.ID), null, { renderer: "canvas" });
    chart.on("finished", function () { drawn[spec.ID] = true; });
    chart.setOption(prepare(spec));
    charts[spec.ID] = chart;
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });

  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var dir = th.getAttribute("data-dir") === "asc" ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("data-dir"); });
    th.setAttribute("data-dir", dir === 1 ? "asc" : "desc");
    function key(tr) {
      var td = tr.cells[col];
      if (!td) { return ""; }
      var v = td.getAttribute("data-v");
      return v === null ? td.textContent : parseFloat(v);
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (typeof x === "number" && typeof y === "number") { return dir * (x - y); }
      return dir * String(x).localeCompare(String(y));
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.addEventListener("click", function () { sortBy(table, i, th); });
    });
  });
  function filter(input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0, rows = table.tBodies[0].rows;
    Array.prototype.forEach.call(rows, function (tr) {
      var text = tr.textContent.toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      tr.style.display = ok ? "" : "none";
      if (ok) { shown++; }
    });
    var count = document.getElementById(table.id + "-count");
    if (count) { count.textContent = shown + " of " + rows.length + " rows"; }
  }
  Array.prototype.forEach.call(document.querySelectorAll("input.filter"), function (input) {
    input.addEventListener("input", function () { filter(input); });
    filter(input);
  });
})();
