// Plotly charts. Each chart is an element with data-chart="<kind>" and data-source naming the
// id of a json_script element with its data; charts are drawn on load and after HTMX swaps.
(function () {
  "use strict";

  var BAND_COLOURS = { healthy: "#12805c", at_risk: "#b7791f", critical: "#c43d3d", no_data: "#98a2b3" };
  // Months, days and decimal commas in the page's language (Plotly's locale, vendored beside it).
  var LOCALE = document.documentElement.lang || "en";
  var CONFIG = { displayModeBar: false, responsive: true, locale: LOCALE };
  // On paper (the print view) a chart is a picture: drawn once at the sheet's width, no hover.
  var STATIC = { displayModeBar: false, staticPlot: true, locale: LOCALE };
  var FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#1d2433" };

  // Plotly reads tags in labels as markup (<a href>, <b>, <br>): names go in as text, through the
  // entities Plotly decodes back.
  function asText(value) {
    return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // At most `length` characters, the cut marked with an ellipsis.
  function shorten(text, length) {
    return text.length > length ? text.slice(0, Math.max(length - 1, 1)) + "…" : text;
  }

  // A tick label cut short says the whole name on hover (an SVG title), found by its number.
  function titleTicks(element, names) {
    element.querySelectorAll(".xtick text").forEach(function (text) {
      var name = names[parseInt(text.textContent, 10) - 1];
      if (name === undefined || text.querySelector("title")) return;
      var title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = name;
      text.appendChild(title);
    });
  }

  function config(element) {
    return element.closest('[data-charts="static"]') ? STATIC : CONFIG;
  }

  function data(element) {
    var source = document.getElementById(element.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  var kinds = {
    sparkline: function (element, series) {
      Plotly.newPlot(element, [{
        x: series.x, y: series.y, type: "scatter", mode: "lines", connectgaps: true,
        line: { color: "#3c5bd6", width: 2 }, hovertemplate: "%{x}: %{y}<extra></extra>"
      }], {
        margin: { l: 0, r: 0, t: 4, b: 0 }, height: 48, font: FONT,
        xaxis: { visible: false }, yaxis: { visible: false, autorange: true },
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)"
      }, config(element));
    },

    // Designed against measured emotion, touchpoint by touchpoint over bands of their stages. The
    // plot keeps its height however many touchpoints there are: the chart grows by what its
    // labels need, across while they fit, slanted and then upright as they crowd, cut short with
    // the full name on hover. A touchpoint without health is a gap in the measured line.
    emotion: function (element, curve) {
      var count = curve.names.length, CHAR = 6.6, PLOT = 240, TOP = 58;
      var slot = Math.max((element.clientWidth || 800) - 60, 100) / Math.max(count, 1);
      var longest = Math.max.apply(null, [0].concat(curve.names.map(function (name, i) { return (i + 1 + ". " + name).length; })));
      var angle = longest * CHAR <= slot ? 0 : slot >= 60 ? -45 : -90;
      var cut = angle === 0 ? longest : 24;
      var x = curve.names.map(function (name, i) { return asText(shorten((i + 1) + ". " + name, cut)); });
      var names = curve.names.map(asText);
      var labelHeight = angle === 0 ? 24 : Math.round(Math.min(longest, cut) * CHAR * (angle === -45 ? 0.72 : 1)) + 16;
      var height = TOP + PLOT + labelHeight;
      // A slanted first label reaches left of the plot by its length.
      var left = angle === -45 ? Math.max(40, Math.round(Math.min(longest, cut) * CHAR * 0.72 - slot / 2) + 8) : 40;
      element.style.height = height + "px";
      var shapes = [], annotations = [], first = 0;
      (curve.stages || []).forEach(function (stage, i) {
        if (!stage.size) return;
        shapes.push({ type: "rect", xref: "x", yref: "paper", x0: first - 0.5, x1: first + stage.size - 0.5, y0: 0, y1: 1,
                      layer: "below", line: { width: 0 }, fillcolor: i % 2 ? "rgba(60,91,214,.07)" : "rgba(152,162,179,.13)" });
        annotations.push({ xref: "x", yref: "paper", x: first + (stage.size - 1) / 2, y: 1, yanchor: "bottom",
                           showarrow: false, text: asText(shorten(stage.name, Math.max(3, Math.floor(stage.size * slot / CHAR)))),
                           hovertext: asText(stage.name), font: { size: 11, color: "#475467" } });
        first += stage.size;
      });
      var hover = "%{customdata}<br>%{y}<extra>%{fullData.name}</extra>";
      Plotly.newPlot(element, [
        { x: x, y: curve.expected, customdata: names, name: asText(curve.labels.expected), type: "scatter", mode: "lines+markers",
          line: { color: "#98a2b3", dash: "dash", shape: "spline" }, marker: { size: 7 }, hovertemplate: hover },
        { x: x, y: curve.measured, customdata: names, name: asText(curve.labels.measured), type: "scatter", mode: "lines+markers",
          connectgaps: false, line: { color: "#3c5bd6", width: 3, shape: "spline" }, marker: { size: 9 }, hovertemplate: hover }
      ], {
        height: height, margin: { l: left, r: 16, t: TOP, b: labelHeight }, font: FONT,
        legend: { orientation: "h", x: 0, y: 1 + 30 / PLOT, yanchor: "bottom" },
        yaxis: { range: [-2.3, 2.3], zeroline: true, zerolinecolor: "#d0d5dd", tickvals: [-2, -1, 0, 1, 2],
                 ticktext: ["−2", "−1", "0", "+1", "+2"], fixedrange: true },
        xaxis: { type: "category", range: [-0.5, count - 0.5], tickangle: angle, automargin: false, fixedrange: true },
        shapes: shapes, annotations: annotations,
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)"
      }, config(element)).then(function () {
        titleTicks(element, curve.names);
        element.on("plotly_afterplot", function () { titleTicks(element, curve.names); });
      });
    },

    // A touchpoint's daily health score, each marker in its band's colour, over the band limits.
    history: function (element, series) {
      var colours = series.bands.map(function (band) { return BAND_COLOURS[band] || BAND_COLOURS.no_data; });
      var bandNames = series.bands.map(function (band) { return asText(series.band_labels[band] || band); });
      var limit = function (y) {
        return { type: "line", xref: "paper", x0: 0, x1: 1, y0: y, y1: y, layer: "below",
                 line: { color: "#98a2b3", width: 1, dash: "dash" } };
      };
      var zone = function (y0, y1, colour) {
        return { type: "rect", xref: "paper", x0: 0, x1: 1, y0: y0, y1: y1, layer: "below",
                 fillcolor: colour, line: { width: 0 } };
      };
      Plotly.newPlot(element, [{
        x: series.x, y: series.y, customdata: bandNames, name: asText(series.labels.score),
        type: "scatter", mode: "lines+markers",
        connectgaps: false, line: { color: "#3c5bd6", width: 2 },
        marker: { color: colours, size: series.x.length > 45 ? 5 : 7, line: { color: "#fff", width: 1 } },
        hovertemplate: "%{x|%d %b %Y}<br>" + asText(series.labels.score) + ": <b>%{y:.1f}</b> · %{customdata}<extra></extra>"
      }], {
        margin: { l: 32, r: 8, t: 8, b: 28 }, font: FONT, showlegend: false,
        yaxis: { range: [0, 100], tickvals: [0, 40, 70, 100], gridcolor: "#f2f4f7", zeroline: false, fixedrange: true },
        xaxis: { type: "date", gridcolor: "#f2f4f7", fixedrange: true },
        shapes: [zone(70, 100, "rgba(18,128,92,.06)"), zone(0, 40, "rgba(196,61,61,.06)"),
                 limit(40), limit(70)],
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)"
      }, config(element));
    },

    // NPS answers 0–10: detractors (0–6) red, passives (7–8) amber, promoters (9–10) green.
    nps: function (element, distribution) {
      var groups = distribution.x.map(function (value) {
        return value <= 6 ? "detractors" : value <= 8 ? "passives" : "promoters";
      });
      var colours = { detractors: BAND_COLOURS.critical, passives: BAND_COLOURS.at_risk, promoters: BAND_COLOURS.healthy };
      Plotly.newPlot(element, [{
        x: distribution.x, y: distribution.y, type: "bar",
        customdata: groups.map(function (group) { return asText(distribution.labels[group]); }),
        marker: { color: groups.map(function (group) { return colours[group]; }) },
        hovertemplate: "NPS %{x} · %{customdata}<br>" + asText(distribution.labels.responses) + ": <b>%{y}</b><extra></extra>"
      }], {
        margin: { l: 32, r: 8, t: 8, b: 28 }, font: FONT, showlegend: false, bargap: 0.18,
        xaxis: { tickmode: "linear", tick0: 0, dtick: 1, fixedrange: true },
        yaxis: { rangemode: "tozero", gridcolor: "#f2f4f7", fixedrange: true },
        paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)"
      }, config(element));
    }
  };

  function draw(root) {
    var elements = Array.prototype.slice.call(root.querySelectorAll("[data-chart]"));
    if (root.matches && root.matches("[data-chart]")) elements.push(root);
    elements.forEach(function (element) {
      var draw = kinds[element.getAttribute("data-chart")];
      var values = data(element);
      if (draw && values && window.Plotly) draw(element, values);
    });
  }

  // Download buttons (data-chart-download="png" or "svg", data-chart-for the chart's id): the
  // picture Plotly makes of the chart as drawn, on white rather than the page's transparency.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-chart-download]");
    var chart = button && document.getElementById(button.getAttribute("data-chart-for"));
    if (!chart || !chart._fullLayout) return;
    var format = button.getAttribute("data-chart-download");
    Plotly.downloadImage(chart, {
      format: format, filename: button.getAttribute("data-filename") || "chart",
      width: chart.offsetWidth, height: chart.offsetHeight, scale: format === "png" ? 2 : 1,
      setBackground: "opaque"
    });
  });

  window.TruthmapCharts = { kinds: kinds, draw: draw, BAND_COLOURS: BAND_COLOURS, FONT: FONT, CONFIG: CONFIG };
  // For the page, then for every piece htmx swaps in (Plotly, deferred before us, is loaded).
  htmx.onLoad(draw);
})();
