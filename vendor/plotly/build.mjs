// Bundles tpmap-plotly.js into static/plotly-tpmap.min.js (run by build.sh). What the dashboard never draws is left
// out: plotly.js's core registers every layout component, and these are replaced by empty ones of the same name
// (the registry answers a missing method with a no-op): buttons and sliders on charts, range sliders and selectors,
// images, 3-D annotations, error bars. `country-iso-search` only maps country names to ISO codes for
// locationmode "country names"; the maps are drawn from our own GeoJSON by id, so it becomes an empty lookup.
import * as esbuild from 'esbuild';

const LEFT_OUT = ['updatemenus', 'sliders', 'rangeslider', 'rangeselector', 'images', 'annotations3d', 'errorbars'];
const component = new RegExp(`/src/components/(${LEFT_OUT.join('|')})$`);

const leaveOut = {
  name: 'leave-out',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^\\./components/(${LEFT_OUT.join('|')})$`) }, (args) =>
      component.test(args.resolveDir + '/' + args.path.slice(2)) || args.importer.endsWith('/src/core.js')
        ? { path: args.path.split('/').pop(), namespace: 'left-out' }
        : undefined,
    );
    build.onResolve({ filter: /^country-iso-search$/ }, () => ({ path: 'country-iso-search', namespace: 'left-out' }));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents:
        args.path === 'country-iso-search'
          ? 'module.exports = {COUNTRIES: [], createLookup: function () { return {lookupAlpha3: function () {}}; }};'
          : `module.exports = {moduleType: 'component', name: ${JSON.stringify(args.path)}};`,
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
