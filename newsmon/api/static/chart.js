// newsmon trend chart: stacked bars (one stack per period, one colour per source) drawn as SVG.
// Plain script, no dependencies. Reads the JSON in <script type="application/json" id="...">
// named by the figure's data-source attribute; every label is set as text, never as markup.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = ["#1f5fbf", "#e07b00", "#2a9d4b", "#c23b3b", "#7a4fc9", "#8c6d31",
                 "#d45fa5", "#6b6b6b", "#17a2b8", "#9bb82f"];
  var OTHER = "#b8bec8";
  var MAX_SERIES = COLOURS.length;

  function node(name, attrs, parent) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { el.setAttribute(key, String(attrs[key])); });
    if (parent) { parent.appendChild(el); }
    return el;
  }

  function niceMax(value) {
    if (value <= 5) { return Math.max(1, value); }
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    var nice = [1, 2, 2.5, 5, 10].map(function (m) { return m * step; })
      .filter(function (v) { return v >= value; })[0];
    return nice || value;
  }

  // Keep the biggest sources, fold the rest into "other" so the colours stay readable.
  function foldSeries(series) {
    var sorted = series.slice().sort(function (a, b) { return total(b.counts) - total(a.counts); });
    if (sorted.length <= MAX_SERIES) { return sorted; }
    var kept = sorted.slice(0, MAX_SERIES - 1);
    var rest = sorted.slice(MAX_SERIES - 1);
    var other = rest[0].counts.map(function (_, i) {
      return rest.reduce(function (sum, line) { return sum + line.counts[i]; }, 0);
    });
    kept.push({ source: "other (" + rest.length + ")", counts: other, other: true });
    return kept;
  }

  // A period (YYYY-MM-DD) under its bar: with the year on the first label and wherever the year changes,
  // month and day alone in between, so a range over several years never reads as one.
  function axisLabel(period, previousYear) {
    return period.slice(0, 4) === previousYear ? period.slice(5) : period;
  }

  function total(counts) { return counts.reduce(function (a, b) { return a + b; }, 0); }

  function draw(figure, data) {
    var periods = data.periods || [];
    var series = foldSeries(data.series || []);
    var width = 900, height = 320, left = 44, right = 12, top = 12, bottom = 46;
    var plotW = width - left - right, plotH = height - top - bottom;
    var stacks = periods.map(function (_, i) {
      return series.reduce(function (sum, line) { return sum + line.counts[i]; }, 0);
    });
    var max = niceMax(Math.max.apply(null, stacks.concat([0])));
    var svg = node("svg", { viewBox: "0 0 " + width + " " + height, role: "img" });
    var title = node("title", {}, svg);
    title.textContent = "Mentions per " + data.by + " for " + data.query;
    for (var t = 0; t <= 4; t++) {
      var value = Math.round(max * t / 4);
      var y = top + plotH - plotH * t / 4;
      node("line", { x1: left, x2: width - right, y1: y, y2: y, stroke: "#e3e7ee" }, svg);
      var label = node("text", { x: left - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "#5d6675" }, svg);
      label.textContent = String(value);
    }
    var slot = periods.length ? plotW / periods.length : plotW;
    var barW = Math.max(1, Math.min(40, slot * 0.8));
    var labelEvery = Math.max(1, Math.ceil(periods.length / 12));
    var labelYear = null;
    periods.forEach(function (period, i) {
      var x = left + slot * i + (slot - barW) / 2;
      var base = top + plotH;
      series.forEach(function (line, s) {
        var count = line.counts[i];
        if (!count) { return; }
        var h = plotH * count / max;
        base -= h;
        var bar = node("rect", {
          x: x, y: base, width: barW, height: h, "class": "bar",
          fill: line.other ? OTHER : COLOURS[s % COLOURS.length]
        }, svg);
        var tip = node("title", {}, bar);
        tip.textContent = period + " · " + (line.source || "all") + ": " + count;
      });
      if (i % labelEvery === 0) {
        var text = node("text", { x: x + barW / 2, y: height - bottom + 16, "text-anchor": "middle",
                                  "font-size": 11, fill: "#5d6675", "class": "period" }, svg);
        text.textContent = axisLabel(period, labelYear);
        labelYear = period.slice(0, 4);
      }
    });
    figure.textContent = "";
    figure.appendChild(svg);
    var legend = document.createElement("div");
    legend.className = "legend";
    series.forEach(function (line, s) {
      var item = document.createElement("span");
      item.style.setProperty("--swatch", line.other ? OTHER : COLOURS[s % COLOURS.length]);
      item.textContent = (line.source || "all") + " (" + total(line.counts) + ")";
      legend.appendChild(item);
    });
    figure.appendChild(legend);
    figure.setAttribute("data-drawn", String(figure.querySelectorAll("rect.bar").length));
  }

  function start() {
    var figures = document.querySelectorAll("figure.chart[data-source]");
    Array.prototype.forEach.call(figures, function (figure) {
      var source = document.getElementById(figure.getAttribute("data-source"));
      if (!source) { return; }
      try {
        draw(figure, JSON.parse(source.textContent));
      } catch (err) {
        figure.textContent = "The chart could not be drawn: " + err.message;
        return;
      }
      // The table stays open for browsers without script; with the chart drawn it is one click away.
      var table = document.getElementById(figure.getAttribute("data-table") || "");
      if (table) { table.open = false; }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
