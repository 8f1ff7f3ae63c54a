// plotly.js off the first view's critical path (issue 35, 5). dcc.Graph fetches plotly.js itself when its first graph
// mounts: it appends a <script> for window._dashPlotlyJSURL to <body> and waits for its load (30 s at most). plotly.js
// is 1.15 MB of script (320 KB with brotli) whose download, compiling and first run took the main thread before the
// first map when every map was plotly.js's. A map drawn on the canvas (assets/canvas-map.js) needs none of it, only
// the star and the trend do: here that script tag is held back until the map has been drawn and the browser is idle,
// then appended as dcc.Graph made it (its handlers and timer are dcc's). A page whose map is plotly.js's own (the
// map box shows a graph, not the canvas) or that has no map box gets it at once, as before; a reader's first click or
// key gets it at once too; nothing is held more than HOLD_MS. assets/plotly-locale-th.js leaves its words in
// window.PlotlyLocales, which plotly.js registers when it arrives; assets/map-first.js wraps Plotly.react then too.
(function () {
  'use strict';
  var HOLD_MS = 3000; // whatever the map does, the charts are never held longer than this
  var IDLE_MS = 1000; // requestIdleCallback's deadline after the map is drawn
  var body = document.body;
  var append = body.appendChild;
  var held = [];
  var released = false;
  var deciding = false;

  function isPlotly(node) {
    var url = window._dashPlotlyJSURL;
    return !!(node && node.tagName === 'SCRIPT' && url && node.getAttribute('src') === url);
  }

  function release() {
    if (released) return;
    released = true;
    held.splice(0).forEach(function (node) { append.call(body, node); });
    window.__tpPlotlyReleased = performance.now(); // (bench/ and the browser tests read it)
  }

  function idleThen(fn) {
    if (window.requestIdleCallback) window.requestIdleCallback(fn, { timeout: IDLE_MS });
    else setTimeout(fn, 50);
  }

  function canvasShown(box) {
    var host = box.querySelector('.tp-cmap');
    return !!(host && host.offsetParent !== null);
  }

  function decide() {
    var box = document.querySelector('.tp-map-box');
    if (!box || !canvasShown(box)) return release(); // a plotly.js map, or charts alone: wanted now
    if (box.querySelector('.tp-cmap[data-drawn]')) return idleThen(release);
    document.addEventListener('tp-map-drawn', function () { idleThen(release); }, { once: true });
  }

  body.appendChild = function (node) {
    if (released || !isPlotly(node)) return append.call(this, node);
    held.push(node);
    if (!deciding) {
      deciding = true;
      setTimeout(release, HOLD_MS);
      // the graph asks while React renders the page: the page is in the DOM a frame later
      requestAnimationFrame(function () { setTimeout(decide, 0); });
    }
    return node;
  };
  ['pointerdown', 'keydown'].forEach(function (type) {
    window.addEventListener(type, function () { if (held.length) release(); }, { capture: true });
  });
})();
