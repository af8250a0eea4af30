/* tongban figures: draws the dashboard's charts with frappe-charts from the JSON the page
   carries (#stats-charts). The tables below hold every number; without JS they are all. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  // Narrow charts (a phone) get shorter labels, so that they do not run into each other.
  function shortener(id) {
    var max = document.getElementById(id).clientWidth < 520 ? 4 : 8;
    return function (label) { return label.length > max ? label.slice(0, max - 1) + "…" : label; };
  }
  var COLORS = ["#0b5cad", "#2f9e44", "#f59f00", "#e8590c", "#7048e8", "#868e96"];

  // frappe-charts writes style="" attributes with setAttribute, which the Content-Security-Policy
  // refuses (no inline styles: settings.SECURE_CSP); the same declarations set through the CSSOM
  // are allowed. Only this page loads frappe-charts, and this file.
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (String(name).toLowerCase() === "style") this.style.cssText = value;
    else setAttribute.call(this, name, value);
  };

  ready(function () {
    var node = document.getElementById("stats-charts");
    if (!node || !window.frappe) return;
    var data = JSON.parse(node.textContent);
    var narrow = document.documentElement.clientWidth < 600;
    if (data.groups && narrow) {  // a phone shows the six largest groups
      ["labels", "received", "completed", "on_time", "tongban"].forEach(function (k) {
        data.groups[k] = data.groups[k].slice(0, 6);
      });
    }
    var percent = { formatTooltipY: function (v) { return v + "%"; } };
    var count = { formatTooltipY: function (v) { return Number(v).toLocaleString(); } };

    if (data.months && document.getElementById("chart-months")) {
      new frappe.Chart("#chart-months", {
        type: "bar", height: 260, colors: COLORS,
        data: { labels: data.months.labels, datasets: [
          { name: data.names.received, values: data.months.received },
          { name: data.names.completed, values: data.months.completed }
        ] },
        barOptions: { spaceRatio: 0.4 }, tooltipOptions: count
      });
    }
    if (data.channels && document.getElementById("chart-channels")) {
      new frappe.Chart("#chart-channels", {
        type: "percentage", height: 180, colors: COLORS,
        data: { labels: data.channels.labels, datasets: [{ values: data.channels.received }] },
        tooltipOptions: count
      });
    }
    if (data.groups && document.getElementById("chart-rates")) {
      new frappe.Chart("#chart-rates", {
        type: "bar", height: 260, colors: [COLORS[1], COLORS[2]],
        data: { labels: data.groups.labels.map(shortener("chart-rates")), datasets: [
          { name: data.names.on_time, values: data.groups.on_time },
          { name: data.names.tongban, values: data.groups.tongban }
        ] },
        barOptions: { spaceRatio: 0.3 }, tooltipOptions: percent
      });
      new frappe.Chart("#chart-groups", {
        type: "bar", height: 260, colors: COLORS,
        data: { labels: data.groups.labels.map(shortener("chart-groups")), datasets: [
          { name: data.names.received, values: data.groups.received },
          { name: data.names.completed, values: data.groups.completed }
        ] },
        barOptions: { spaceRatio: 0.3 }, tooltipOptions: count
      });
    }
  });
})();
