// Printing draws the charts for the paper, not for the window they were last drawn in. plotly.js sizes a chart in
// pixels when it draws it; a printed page lays out at another width (A4 landscape; presentation mode as its
// 1920 x 1080 screen, zoomed to the sheet), so a map drawn for a narrow window came out small and a star drawn for
// a wide one covered the column beside it. Before printing, the page takes its printed widths on screen for a
// moment (html.tp-printing in 10-tpmap.css), every chart is drawn again at its box's size, and afterwards back.
// A map's canvas is not drawn again: Chromium prints a canvas drawn in beforeprint blank (tried); its picture is
// fitted to its printed box instead (object-fit, 10-tpmap.css), as an image is.
(function () {
  'use strict';
  function charts() {
    return Array.prototype.slice.call(document.querySelectorAll('.js-plotly-plot')).filter(function (gd) {
      return gd._fullLayout && gd.offsetParent !== null;
    });
  }
  function fit(gd) {
    var box = gd.parentElement.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) {
      window.Plotly.relayout(gd, {width: box.width, height: gd.closest('.tp-present-map, .tp-star-graph') ? box.height : gd._fullLayout.height});
    }
  }
  window.addEventListener('beforeprint', function () {
    document.documentElement.classList.add('tp-printing');
    if (window.Plotly) charts().forEach(fit);
  });
  window.addEventListener('afterprint', function () {
    if (!document.documentElement.classList.contains('tp-printing')) return;
    document.documentElement.classList.remove('tp-printing');
    if (window.Plotly) charts().forEach(function (gd) { window.Plotly.relayout(gd, {width: null, height: null, autosize: true}); });
  });
})();
