// Bundles tpmap-plotly.js into static/plotly-tpmap.min.js (run by build.sh). What the dashboard never draws is left
// out: plotly.js's core registers every layout component, and these are replaced by empty ones of the same name
// (the registry answers a missing method with a no-op): buttons and sliders on charts, range sliders and selectors,
// images, annotations (2-D and 3-D), subplot grids, error bars. Three modules become stubs (STUBS): the country-name
// lookup (`country-iso-search`, for locationmode "country names"; the maps are drawn from our own GeoJSON by id),
// the extra projections of d3-geo-projection and box/lasso selection. Together 0.36 -> 0.33 MB with brotli.
//
// PATCHES make a recolour of a map cheap, which plotly.js makes as dear as a first draw: a new `z` recomputes every
// area's feature, centroid, hit-test polygons and bounding box, regenerates every SVG path and rewrites every
// path's fill, stroke and opacity. For the national map of 7,425 tambons that was about 300 ms of a recolour. What
// depends only on an area's geometry is now kept with the geometry (the GeoJSON objects plotly.js holds once per
// file), a path's outline is kept per projection (for the last four: recomputed when the map is resized or reframed), and a
// DOM attribute is written only when its value changes. Each patch names the exact source it replaces: the build
// fails if plotly.js changes under it.
import * as esbuild from 'esbuild';
import { readFile } from 'node:fs/promises';

const LEFT_OUT = ['updatemenus', 'sliders', 'rangeslider', 'rangeselector', 'images', 'annotations', 'annotations3d', 'grid', 'errorbars'];
const component = new RegExp(`/src/components/(${LEFT_OUT.join('|')})$`);

const SELECTIONS = new URL('node_modules/plotly.js/src/components/selections', import.meta.url).pathname;
const STUBS = {
  'country-iso-search': 'module.exports = {COUNTRIES: [], createLookup: function () { return {lookupAlpha3: function () {}}; }};',
  // only projections beyond d3-geo's own are in it; the maps are drawn in mercator
  'd3-geo-projection': 'module.exports = {};',
  // box and lasso selection (with its polygon library): every chart has dragmode false or zoom, clickmode event
  'selections-select':
    "var clearOutline = require('../shapes/handle_outline').clearOutline; function noop() {}\n" +
    'module.exports = {reselect: noop, prepSelect: noop, clearOutline: clearOutline, clearSelectionsCache: noop, selectOnClick: noop};',
};

const PATCHES = {
  // one output feature (with its centroid) per input feature, for as long as the GeoJSON lives
  'src/lib/geo_location_utils.js': [
    [
      "'use strict';",
      "'use strict';\nvar TPMAP_FEATURES = new WeakMap();",
    ],
    [
      `                var fOut = {
                    type: 'Feature',
                    id: id,
                    geometry: geometry,
                    properties: {}
                };

                fOut.properties.ct = findCentroid(fOut);`,
      `                var fOut = TPMAP_FEATURES.get(fIn);
                if (!fOut || fOut.id !== id || fOut.geometry !== geometry) {
                    fOut = { type: 'Feature', id: id, geometry: geometry, properties: {} };
                    fOut.properties.ct = findCentroid(fOut);
                    TPMAP_FEATURES.set(fIn, fOut);
                }`,
    ],
  ],
  // hit-test polygons and bounding box: functions of the feature alone
  'src/traces/choropleth/plot.js': [
    [
      "'use strict';",
      "'use strict';\nvar TPMAP_POLYGONS = new WeakMap();\nvar TPMAP_BBOX = new WeakMap();\n" +
        'function tpmapKept(map, key, make) { if (!map.has(key)) map.set(key, make(key)); return map.get(key); }',
    ],
    [
      'calcPt._polygons = geoUtils.feature2polygons(feature);',
      'calcPt._polygons = tpmapKept(TPMAP_POLYGONS, feature, geoUtils.feature2polygons);',
    ],
    [
      'const bboxFeature = geoUtils.computeBbox(feature);',
      'const bboxFeature = tpmapKept(TPMAP_BBOX, feature, geoUtils.computeBbox);',
    ],
  ],
  // a path's outline per feature and projection, the last four kept (a colour bar's labels differ per metric, and
  // the map beside it shifts by a pixel or two); written only when it differs from the one drawn
  'src/plots/geo/geo.js': [
    [
      "'use strict';",
      "'use strict';\nvar TPMAP_OUTLINES = new WeakMap();",
    ],
    [
      `    for (k in this.dataPaths) {
        this.dataPaths[k].attr('d', function (d) {
            return pathFn(d.geojson);
        });
    }`,
      `    var view = JSON.stringify([projection.scale(), projection.translate(), projection.rotate(), projection.center(),
        projection.clipExtent(), projection.clipAngle && projection.clipAngle(), projection.precision()]);
    for (k in this.dataPaths) {
        this.dataPaths[k].each(function (d) {
            var f = d.geojson;
            var kept = f && typeof f === 'object' ? TPMAP_OUTLINES.get(f) : null;
            var outline;
            var hit = kept ? kept.findIndex(function (v) { return v[0] === view; }) : -1;
            if (hit >= 0) {
                outline = kept[hit][1];
            } else {
                outline = pathFn(f);
                if (f && typeof f === 'object') TPMAP_OUTLINES.set(f, [[view, outline]].concat((kept || []).slice(0, 3)));
            }
            if (outline == null) this.removeAttribute('d');
            else if (this.getAttribute('d') !== outline) this.setAttribute('d', outline);
        });
    }`,
    ],
  ],
  // a recolour changes the fill alone: the outline's colour, width and the opacity are set when they change
  'src/traces/choropleth/style.js': [
    [
      `    locs.each(function(d) {
        d3.select(this)
            .attr('fill', sclFunc(d.z))
            .call(Color.stroke, d.mlc || markerLine.color)
            .call(Drawing.dashLine, '', d.mlw || markerLine.width || 0)
            .style('opacity', marker.opacity);
    });`,
      `    locs.each(function(d) {
        var fill = sclFunc(d.z);
        if (this.getAttribute('fill') !== fill) this.setAttribute('fill', fill);
        var line = [d.mlc || markerLine.color, d.mlw || markerLine.width || 0, marker.opacity].join('|');
        if (this.__tpmapLine !== line) {
            d3.select(this)
                .call(Color.stroke, d.mlc || markerLine.color)
                .call(Drawing.dashLine, '', d.mlw || markerLine.width || 0)
                .style('opacity', marker.opacity);
            this.__tpmapLine = line;
        }
    });`,
    ],
  ],
};

const patch = {
  name: 'patch',
  setup(build) {
    const files = Object.keys(PATCHES).map((f) => f.replace(/[.]/g, '[.]')).join('|');
    build.onLoad({ filter: new RegExp(`node_modules/plotly[.]js/(${files})$`) }, async (args) => {
      const name = Object.keys(PATCHES).find((f) => args.path.endsWith(f));
      let source = await readFile(args.path, 'utf8');
      for (const [was, now] of PATCHES[name]) {
        if (source.split(was).length !== 2) throw new Error(`${name}: the source to patch is not there once: ${was.slice(0, 60)}`);
        source = source.replace(was, () => now);
      }
      return { contents: source, loader: 'js' };
    });
  },
};

const leaveOut = {
  name: 'leave-out',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^\\./components/(${LEFT_OUT.join('|')})$`) }, (args) =>
      component.test(args.resolveDir + '/' + args.path.slice(2)) || args.importer.endsWith('/src/core.js')
        ? { path: args.path.split('/').pop(), namespace: 'left-out' }
        : undefined,
    );
    build.onResolve({ filter: /^country-iso-search$/ }, () => ({ path: 'country-iso-search', namespace: 'left-out' }));
    build.onResolve({ filter: /^d3-geo-projection$/ }, () => ({ path: 'd3-geo-projection', namespace: 'left-out' }));
    build.onResolve({ filter: /^\.\/select$/ }, (args) =>
      args.resolveDir.endsWith('/src/components/selections') ? { path: 'selections-select', namespace: 'left-out' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: STUBS[args.path] || `module.exports = {moduleType: 'component', name: ${JSON.stringify(args.path)}};`,
      resolveDir: args.path === 'selections-select' ? SELECTIONS : undefined,
      loader: 'js',
    }));
  },
};

await esbuild.build({
  entryPoints: ['tpmap-plotly.js'],
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: 'Plotly',
  target: 'es2018',
  legalComments: 'none',
  define: { global: 'window' }, // as plotly.js builds itself: node's `global` is the window
  plugins: [leaveOut, patch],
  outfile: 'out/plotly-tpmap.min.js',
  logLevel: 'warning',
});
