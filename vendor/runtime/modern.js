// Loaded in place of the @babel/polyfill that Dash puts first on every page (29 KB with brotli). Dash's renderer
// and components need one thing from it in a current browser: the global regeneratorRuntime of their transpiled
// async code (regenerator-runtime, appended by build.sh). An older browser, lacking what these checks ask for,
// is given the full polyfill from the address Dash would have used (data-polyfill on this script tag).
(function () {
  var here = document.currentScript;
  var current = window.Promise && Promise.prototype.finally && Object.fromEntries && Array.prototype.flat &&
    Array.prototype.includes && window.Symbol && Symbol.asyncIterator && window.fetch && window.globalThis;
  if (!current && here && here.dataset.polyfill) {
    document.write('<script src="' + here.dataset.polyfill + '"><\/script>');
  }
})();
