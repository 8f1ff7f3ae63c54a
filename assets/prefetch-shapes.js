// While the pointer rests on an area of a map, fetches the shape file a click on it would draw next, into the store
// the maps read first (window.PlotlyGeoAssets, which assets/canvas-map.js reads before fetching a shape file): a drill-down
// then waits for the server's values alone. The entry is written only once the file is here, so a click that comes
// first simply fetches it as before. Only for a mouse: on a touch screen a tap is a hover and a click at once (the
// file would come twice).
(function () {
  if (!window.fetch) return;
  function next(code) {
    code = String(code || '');
    if (/^\d{2}$/.test(code)) return '/shapes/amphoes/' + code + '.json';
    if (/^\d{4}$/.test(code)) return '/shapes/tambons/' + code + '.json';
    if (/^\d{6}$/.test(code)) return '/shapes/tambons/' + code.slice(0, 4) + '.json';
    return null;
  }
  var asked = {};
  function prefetch(url) {
    var assets = (window.PlotlyGeoAssets = window.PlotlyGeoAssets || {});
    if (!url || assets[url] || asked[url]) return;
    asked[url] = true;
    fetch(url, { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (geo) { if (!assets[url]) assets[url] = geo; })
      .catch(function () { delete asked[url]; });
  }
  // the map's canvas (assets/canvas-map.js) asks for the area under a resting mouse, and which file a click draws
  window.tpPrefetchShapes = function (code) { prefetch(next(code)); };
  window.tpShapesOf = next;
})();
