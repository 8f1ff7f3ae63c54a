// The map is drawn first. When one answer brings a map and other charts (a drill-down brings the new level's map,
// star and trend), dcc.Graph queues them all at once and plotly.js draws them one after another, in whatever order
// React mounted them: the star (20-35 ms) and the trend (35-70 ms) went before the map the reader had just clicked
// (and the canvas's clientside callback comes after the graphs' drawing too).
// Here a chart outside a map box that is to be drawn while a map's drawing is queued or under way waits for that
// map, then for one frame more, so that the browser shows the map before the chart's drawing takes the thread. (A
// map's drawing waits on its shape file, from the browser's cache when the page preloaded it; the charts had been
// drawn in that wait, 120 ms that the first map then waited for.) Never more than about half a second.
(function () {
  'use strict';
  var MAX_FRAMES = 30; // never hold a chart back more than about half a second, whatever a map does

  function isMap(gd) {
    return !!(gd && gd.closest && gd.closest('.tp-map-box'));
  }

  function mapBusy() {
    // dcc.Graph marks a graph pending from the moment it queues a drawing until that drawing has settled; a map's
    // canvas (assets/canvas-map.js) from the click that asks for a new map, or from its figure's coming, until it
    // has drawn it
    return !!document.querySelector('.tp-map-box .dash-graph--pending, .tp-map-box .tp-cmap[data-pending]');
  }

  function install(Plotly) {
    if (!Plotly || typeof Plotly.react !== 'function' || Plotly.react.tpMapFirst) return;
    var react = Plotly.react;
    var wrapped = function (gd) {
      var self = this;
      var args = arguments;
      if (isMap(gd) || !mapBusy()) return react.apply(self, args);
      return new Promise(function (resolve, reject) {
        var frames = 0;
        (function check() {
          if (mapBusy() && ++frames < MAX_FRAMES) return requestAnimationFrame(check);
          // this frame paints the map; the chart is drawn at the next
          requestAnimationFrame(function () {
            try { resolve(react.apply(self, args)); } catch (e) { reject(e); }
          });
        })();
      });
    };
    wrapped.tpMapFirst = true;
    Plotly.react = wrapped;
  }

  if (window.Plotly) {
    install(window.Plotly);
    return;
  }
  // plotly.js loads asynchronously (its script tag is async) and declares a global `var Plotly`: a global var of a
  // property that already exists keeps the property, so its assignment comes through this setter
  var held;
  Object.defineProperty(window, 'Plotly', {
    configurable: true,
    enumerable: true,
    get: function () { return held; },
    set: function (value) { held = value; install(value); },
  });
})();
