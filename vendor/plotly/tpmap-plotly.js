// plotly.js with the traces TPMAP Open draws: scatter (trends; in core), choropleth and scattergeo (maps),
// scatterpolar (the 5-dimension star). vendor/plotly/build.sh bundles it into static/plotly-tpmap.min.js.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/choropleth'),
    require('plotly.js/lib/scattergeo'),
    require('plotly.js/lib/scatterpolar'),
]);

module.exports = Plotly;
