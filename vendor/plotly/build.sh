#!/usr/bin/env bash
# Rebuild static/plotly-tpmap.min.js: plotly.js with only the traces the dashboard draws (scatter, choropleth,
# scattergeo, scatterpolar) and the layout components it uses (build.mjs says what is left out). Needs node and npm; the pinned versions are in package.json and package-lock.json.
# The built file is committed, so `make run` and `make test` need no node. Run this when plotly.js is upgraded
# (keep its version equal to the one the `plotly` Python package bundles: `python -c "import plotly.offline as o;
# print(o.get_plotlyjs_version())"`), then commit the new bundle.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/tpmap-plotly.js" "$here/build.mjs" "$work/"
cd "$work"
npm ci --no-audit --no-fund --ignore-scripts
# maplibre's stylesheet comes along with the core (map traces, not drawn here): the CSS output is not used
node build.mjs
version="$(node -p "require('plotly.js/package.json').version")"
{ printf '/* plotly.js v%s (MIT, Copyright 2012-2026 Plotly, Inc.): scatter, choropleth, scattergeo, scatterpolar */\n' "$version"
  cat out/plotly-tpmap.min.js; } > "$here/../../static/plotly-tpmap.min.js"
echo "static/plotly-tpmap.min.js: plotly.js $version, $(wc -c < "$here/../../static/plotly-tpmap.min.js") bytes"
