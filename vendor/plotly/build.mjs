// Bundles tpmap-plotly.js into static/plotly-tpmap.min.js (run by build.sh). What the dashboard never draws is left
// out: plotly.js's core registers every layout component, and these are replaced by empty ones of the same name
// (the registry answers a missing method with a no-op): buttons and sliders on charts, range sliders and selectors,
// images, annotations (2-D and 3-D), subplot grids, error bars. Three modules become stubs (STUBS): the country-name
// lookup (`country-iso-search`, for locationmode "country names"; the maps are drawn from our own GeoJSON by id),
// the extra projections of d3-geo-projection and box/lasso selection. Together 0.36 -> 0.33 MB with brotli.
import * as esbuild from 'esbuild';

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
  plugins: [leaveOut],
  outfile: 'out/plotly-tpmap.min.js',
  logLevel: 'warning',
});
