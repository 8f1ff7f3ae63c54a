// plotly.js's geo traces fetch their scope's world topology before drawing, even with every base layer hidden; ours
// is empty on purpose (assets/topojson/README.md). Handed over here, it is no longer a round trip inside the first
// map's drawing (it was requested about 60 ms into it, on every first visit). The file stays for any other caller.
(function () {
  var assets = (window.PlotlyGeoAssets = window.PlotlyGeoAssets || {});
  assets.topojson = assets.topojson || {};
  if (!assets.topojson.world_110m) assets.topojson.world_110m = { type: 'Topology', objects: {}, arcs: [] };
})();
