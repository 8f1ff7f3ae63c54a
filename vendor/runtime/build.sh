#!/usr/bin/env bash
# Rebuild static/modern.min.js: modern.js (the polyfill check) and regenerator-runtime 0.13.11 (MIT, Facebook;
# the version @babel/polyfill 7.12.1 bundles), minified. Needs node and npm; the built file is committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent regenerator-runtime@0.13.11 >/dev/null && tar xzf regenerator-runtime-0.13.11.tgz
npm init -y >/dev/null && npm install --silent --no-audit --no-fund esbuild@0.25.12
{ printf '/* TPMAP Open vendor/runtime: the polyfill check, then regenerator-runtime 0.13.11 (MIT, Copyright (c) 2014-present, Facebook, Inc.) */\n'
  cat "$here/modern.js" package/runtime.js | npx esbuild --minify --legal-comments=none; } > "$here/../../static/modern.min.js"
echo "static/modern.min.js: $(wc -c < "$here/../../static/modern.min.js") bytes"
