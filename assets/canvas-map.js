// The national tambon map (7,425 polygons) drawn on a canvas instead of plotly.js's SVG (issue 16). SVG makes a
// recolour restyle and repaint 7,425 DOM paths (about 300 ms of the browser's time on this machine); a canvas fills
// the same paths from Path2D objects built once per shape file, in tens of milliseconds.
//
// It draws the same figure the server builds for plotly.js (components.figures.choropleth, kept in the
// #area-canvas-fig store): the grey "no data" trace, the coloured trace (locations, z, text, colorscale, zmin/zmax,
// its colour bar's unit), the municipal units' dots (scattergeo), the title, and layout.meta (the hover's label and
// number format, the language, the PNG's file name). A hover shows the area's name and value, a click sets
// #area-map's clickData as plotly.js would, so the page's one update callback drills down.
(function () {
  'use strict';
  var FONT = '"Sarabun", "Noto Sans Thai", sans-serif';
  var shapes = {}; // shape file address -> Promise of its prepared polygons

  function mercY(lat) {
    var r = (Math.max(-85, Math.min(85, lat)) * Math.PI) / 180;
    return Math.log(Math.tan(Math.PI / 4 + r / 2));
  }

  // every feature as one Path2D in projected units (x: longitude in radians, y: -mercator), its bounding box, and a
  // grid of the features over the whole extent for hit testing (a pointer tests a handful, not 7,425)
  function prepare(geo) {
    var list = [], byCode = {}, box = [Infinity, Infinity, -Infinity, -Infinity];
    (geo.features || []).forEach(function (f) {
      var g = f.geometry || {};
      var polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
      var path = new Path2D(), b = [Infinity, Infinity, -Infinity, -Infinity];
      polys.forEach(function (poly) {
        poly.forEach(function (ring) {
          for (var i = 0; i < ring.length; i++) {
            var x = (ring[i][0] * Math.PI) / 180, y = -mercY(ring[i][1]);
            if (i) path.lineTo(x, y); else path.moveTo(x, y);
            if (x < b[0]) b[0] = x; if (y < b[1]) b[1] = y; if (x > b[2]) b[2] = x; if (y > b[3]) b[3] = y;
          }
          path.closePath();
        });
      });
      if (b[0] === Infinity) return;
      var item = { code: String(f.properties && f.properties.code), path: path, box: b };
      list.push(item);
      byCode[item.code] = item;
      box = [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])];
    });
    var N = 64, grid = [], cw = (box[2] - box[0]) / N || 1, ch = (box[3] - box[1]) / N || 1;
    for (var k = 0; k < N * N; k++) grid.push([]);
    list.forEach(function (it) {
      var x0 = Math.floor((it.box[0] - box[0]) / cw), x1 = Math.min(N - 1, Math.floor((it.box[2] - box[0]) / cw));
      var y0 = Math.floor((it.box[1] - box[1]) / ch), y1 = Math.min(N - 1, Math.floor((it.box[3] - box[1]) / ch));
      for (var gx = x0; gx <= x1; gx++) for (var gy = y0; gy <= y1; gy++) grid[gy * N + gx].push(it);
    });
    var outline = new Path2D();
    list.forEach(function (it) { outline.addPath(it.path); });
    return { list: list, byCode: byCode, box: box, grid: grid, N: N, cw: cw, ch: ch, outline: outline };
  }

  function load(url) {
    if (!shapes[url]) {
      var kept = window.PlotlyGeoAssets && window.PlotlyGeoAssets[url];
      shapes[url] = (kept ? Promise.resolve(kept) : fetch(url, { credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) throw new Error(url + ': ' + r.status);
        return r.json();
      })).then(prepare);
      shapes[url].catch(function () { delete shapes[url]; });
    }
    return shapes[url];
  }

  function rgb(hex) {
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    if (m) return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
    m = /rgba?\(([^)]+)\)/.exec(hex);
    return m ? m[1].split(',').slice(0, 3).map(Number) : [0, 0, 0];
  }

  // plotly's colour scale ([[0, '#..'], .., [1, '#..']]) read as plotly reads it: linear in RGB between its stops
  function scaler(scale, lo, hi) {
    var stops = scale.map(function (s) { return [s[0], rgb(s[1])]; });
    var memo = {};
    return function (v) {
      var t = hi > lo ? (v - lo) / (hi - lo) : 0;
      t = Math.max(0, Math.min(1, t));
      var key = Math.round(t * 1000);
      if (memo[key]) return memo[key];
      var i = 1;
      while (i < stops.length - 1 && stops[i][0] < t) i++;
      var a = stops[i - 1], b = stops[i], u = b[0] > a[0] ? (t - a[0]) / (b[0] - a[0]) : 0;
      var c = [0, 1, 2].map(function (j) { return Math.round(a[1][j] + (b[1][j] - a[1][j]) * u); });
      return (memo[key] = 'rgb(' + c.join(',') + ')');
    };
  }

  function formatter(lang, fmt) {
    var m = /^(,?)\.(\d+)f$/.exec(fmt || ',.0f') || ['', ',', '0'];
    var nf = new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'th-TH', {
      minimumFractionDigits: +m[2], maximumFractionDigits: +m[2], useGrouping: m[1] === ',',
    });
    return function (v) { return v === null || v === undefined || isNaN(v) ? '–' : nf.format(v); };
  }

  // about five round ticks between lo and hi (1, 2 or 5 times a power of ten apart)
  function ticks(lo, hi) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var step = Math.pow(10, Math.floor(Math.log10(span / 5))), r = span / 5 / step;
    step *= r >= 5 ? 5 : r >= 2 ? 2 : 1;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return out;
  }

  function read(fig) {
    var data = (fig && fig.data) || [], layout = (fig && fig.layout) || {}, meta = layout.meta || {};
    var main = null, grey = null, dots = null;
    data.forEach(function (tr) {
      if (tr.type === 'choropleth' && tr.name === 'no data') grey = tr;
      else if (tr.type === 'choropleth' && tr.showscale !== false && !main) main = tr;
      else if (tr.type === 'scattergeo' && tr.mode === 'markers') dots = tr;
    });
    var title = layout.title && (layout.title.text || layout.title);
    return { main: main, grey: grey, dots: dots, meta: meta, title: typeof title === 'string' ? title : '' };
  }

  function CanvasMap(host) {
    this.host = host;
    host.innerHTML = '';
    this.titleEl = el('div', 'tp-cmap-title', host);
    this.stage = el('div', 'tp-cmap-stage', host);
    this.base = el('canvas', 'tp-cmap-base', this.stage);
    this.over = el('canvas', 'tp-cmap-over', this.stage);
    this.tip = el('div', 'tp-cmap-tip', this.stage);
    this.tip.hidden = true;
    this.save = el('button', 'tp-cmap-png btn btn-sm btn-outline-secondary', this.stage);
    this.save.type = 'button';
    this.base.setAttribute('role', 'img');
    this.draws = 0;
    var self = this;
    this.over.addEventListener('pointermove', function (e) { self.hover(e); });
    this.over.addEventListener('pointerleave', function () { self.hover(null); });
    this.over.addEventListener('click', function (e) { self.click(e); });
    this.save.addEventListener('click', function () { self.png(); });
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        var w = self.stage.clientWidth, h = self.stage.clientHeight;
        if (self.fig && self.geo && (w !== self.w || h !== self.h)) self.draw();
      }).observe(this.stage);
    }
  }

  function el(tag, cls, parent) {
    var e = document.createElement(tag);
    e.className = cls;
    parent.appendChild(e);
    return e;
  }

  CanvasMap.prototype.set = function (fig) {
    var self = this;
    this.fig = fig;
    var r = read(fig);
    var url = (r.main || r.grey || {}).geojson;
    if (!url) return Promise.resolve();
    return load(url).then(function (geo) {
      if (self.fig !== fig) return; // a newer figure came meanwhile
      self.geo = geo;
      self.draw();
    }, function () {
      // the shape file did not come (the network, a restart): say so where the map would be, not a blank box
      self.titleEl.textContent = (r.meta && r.meta.failed) || 'The map could not be loaded';
      self.host.setAttribute('data-failed', '1');
    });
  };

  CanvasMap.prototype.draw = function () {
    // nothing to draw before the shapes are here: a resize then would also overwrite the "could not load" message
    if (!this.geo) return;
    var t0 = performance.now();
    var r = read(this.fig), geo = this.geo, meta = r.meta, lang = meta.lang || document.documentElement.lang || 'th';
    this.lang = lang;
    // the title's line breaks were placed for plotly.js's fixed width (components.figures.wrap): HTML wraps it to
    // the width it has
    this.titleEl.textContent = r.title.replace(/<br>/g, ' ').replace(/<[^>]*>/g, '');
    this.base.setAttribute('aria-label', this.titleEl.textContent);
    this.save.textContent = meta.png_label || 'PNG';
    var dpr = window.devicePixelRatio || 1, W = this.stage.clientWidth, H = this.stage.clientHeight;
    this.w = W; this.h = H;
    [this.base, this.over].forEach(function (c) {
      c.width = Math.round(W * dpr); c.height = Math.round(H * dpr);
      c.style.width = W + 'px'; c.style.height = H + 'px';
    });
    var ctx = this.base.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.base.width, this.base.height);
    if (!geo || W < 10 || H < 10) return;
    // the map fills what the colour bar leaves, the areas' own extent a little padded (as components.figures.frame)
    var bar = r.main ? Math.min(110, W * 0.22) : 0, pad = 8;
    var bw = geo.box[2] - geo.box[0], bh = geo.box[3] - geo.box[1];
    var k = Math.min((W - bar - 2 * pad) / bw, (H - 2 * pad) / bh);
    var ox = pad + (W - bar - 2 * pad - bw * k) / 2 - geo.box[0] * k, oy = pad + (H - 2 * pad - bh * k) / 2 - geo.box[1] * k;
    this.k = k; this.ox = ox; this.oy = oy; this.dpr = dpr;
    ctx.setTransform(k * dpr, 0, 0, k * dpr, ox * dpr, oy * dpr);
    var values = {};
    this.values = values;
    if (r.grey) {
      ctx.fillStyle = (r.grey.colorscale && r.grey.colorscale[0][1]) || '#bdbdbd';
      r.grey.locations.forEach(function (c) {
        var it = geo.byCode[c];
        if (it) { ctx.fill(it.path, 'evenodd'); values[c] = { grey: true }; }
      });
    }
    var colour = null;
    if (r.main) {
      var lo = r.main.zmin != null ? r.main.zmin : Math.min.apply(null, r.main.z.filter(isFinite));
      var hi = r.main.zmax != null ? r.main.zmax : Math.max.apply(null, r.main.z.filter(isFinite));
      colour = scaler(r.main.colorscale, lo, hi);
      this.range = [lo, hi];
      var z = r.main.z, names = r.main.text || [];
      r.main.locations.forEach(function (c, i) {
        var it = geo.byCode[c];
        if (!it) return;
        ctx.fillStyle = z[i] === null ? '#bdbdbd' : colour(z[i]);
        ctx.fill(it.path, 'evenodd');
        values[c] = { z: z[i], name: names[i] };
      });
    }
    // the borders, all at once: thin enough not to wash 7,425 small areas out
    ctx.lineWidth = 0.35 / k;
    ctx.strokeStyle = 'rgba(255,255,255,0.7)';
    ctx.stroke(geo.outline);
    this.dots = [];
    if (r.dots && colour) {
      var m = r.dots.marker || {}, size = (m.size || 5) / 2, dotColour = scaler(m.colorscale || r.main.colorscale, m.cmin, m.cmax);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.lineWidth = (m.line && m.line.width) || 0.5;
      ctx.strokeStyle = (m.line && m.line.color) || '#111';
      for (var i = 0; i < r.dots.lon.length; i++) {
        var x = ox + ((r.dots.lon[i] * Math.PI) / 180) * k, y = oy - mercY(r.dots.lat[i]) * k;
        var cd = (r.dots.customdata || [])[i] || [];
        ctx.beginPath();
        ctx.arc(x, y, size, 0, 2 * Math.PI);
        ctx.fillStyle = dotColour(m.color[i]);
        ctx.fill();
        ctx.stroke();
        this.dots.push({ x: x, y: y, r: Math.max(size, 4), code: cd[2], name: cd[0], z: m.color[i] });
      }
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (r.main) this.colourBar(ctx, r, colour, W - bar + 16, H, lang);
    if (r.dots && r.dots.showlegend !== false && r.dots.name) this.legend(ctx, r.dots.name, H);
    this.hover(null);
    this.draws += 1;
    this.host.setAttribute('data-drawn', String(this.draws));
    this.host.setAttribute('data-draw-ms', String(Math.round(performance.now() - t0)));
    this.host.dispatchEvent(new CustomEvent('tp-map-drawn', { bubbles: true, detail: { at: performance.now() } }));
  };

  CanvasMap.prototype.colourBar = function (ctx, r, colour, x, H, lang) {
    var lo = this.range[0], hi = this.range[1], top = H * 0.12, h = H * 0.76, w = 14;
    var unit = (r.main.colorbar && r.main.colorbar.title && r.main.colorbar.title.text) || '';
    var px = (r.main.colorbar && r.main.colorbar.tickfont && r.main.colorbar.tickfont.size) || 12;
    for (var i = 0; i < h; i++) {
      ctx.fillStyle = colour(hi - ((hi - lo) * i) / h);
      ctx.fillRect(x, top + i, w, 1.5);
    }
    ctx.strokeStyle = '#444';
    ctx.lineWidth = 0.5;
    ctx.strokeRect(x, top, w, h);
    ctx.fillStyle = '#222';
    ctx.font = px + 'px ' + FONT;
    ctx.textBaseline = 'middle';
    var fmt = formatter(lang, Math.abs(hi - lo) < 10 ? ',.2f' : ',.0f');
    ticks(lo, hi).forEach(function (v) {
      var y = top + h - ((v - lo) / (hi - lo || 1)) * h;
      ctx.fillRect(x + w, y, 4, 0.8);
      ctx.fillText(fmt(v), x + w + 6, y);
    });
    ctx.textBaseline = 'bottom';
    ctx.fillText(unit, x, top - 6);
  };

  CanvasMap.prototype.legend = function (ctx, label, H) {
    ctx.font = '12px ' + FONT;
    ctx.textBaseline = 'middle';
    var y = H - 14;
    ctx.fillStyle = 'rgba(255,255,255,0.8)';
    ctx.fillRect(4, y - 10, ctx.measureText(label).width + 30, 20);
    ctx.beginPath();
    ctx.arc(14, y, 4, 0, 2 * Math.PI);
    ctx.fillStyle = '#999';
    ctx.fill();
    ctx.strokeStyle = '#111';
    ctx.stroke();
    ctx.fillStyle = '#222';
    ctx.fillText(label, 24, y);
  };

  // what is under a point of the stage (CSS pixels): a municipal unit's dot first (drawn on top), then a polygon
  CanvasMap.prototype.at = function (px, py) {
    if (!this.geo) return null;
    for (var i = this.dots.length - 1; i >= 0; i--) {
      var d = this.dots[i];
      if ((d.x - px) * (d.x - px) + (d.y - py) * (d.y - py) <= d.r * d.r) return { code: d.code, name: d.name, z: d.z };
    }
    var geo = this.geo, ux = (px - this.ox) / this.k, uy = (py - this.oy) / this.k;
    var gx = Math.floor((ux - geo.box[0]) / geo.cw), gy = Math.floor((uy - geo.box[1]) / geo.ch);
    if (gx < 0 || gy < 0 || gx >= geo.N || gy >= geo.N) return null;
    var ctx = this.over.getContext('2d');
    ctx.setTransform(this.k * this.dpr, 0, 0, this.k * this.dpr, this.ox * this.dpr, this.oy * this.dpr);
    var cell = geo.grid[gy * geo.N + gx];
    for (var j = 0; j < cell.length; j++) {
      var it = cell[j], b = it.box;
      if (ux < b[0] || ux > b[2] || uy < b[1] || uy > b[3]) continue;
      if (this.values[it.code] && ctx.isPointInPath(it.path, px * this.dpr, py * this.dpr, 'evenodd')) {
        return Object.assign({ code: it.code, item: it }, this.values[it.code]);
      }
    }
    return null;
  };

  CanvasMap.prototype.hover = function (e) {
    var ctx = this.over.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.over.width, this.over.height);
    var rect = this.over.getBoundingClientRect();
    var hit = e && this.at(e.clientX - rect.left, e.clientY - rect.top);
    this.over.style.cursor = hit ? 'pointer' : 'default';
    if (!hit) { this.tip.hidden = true; this.hit = null; return; }
    this.hit = hit;
    if (hit.item) {
      ctx.setTransform(this.k * this.dpr, 0, 0, this.k * this.dpr, this.ox * this.dpr, this.oy * this.dpr);
      ctx.lineWidth = 2 / this.k;
      ctx.strokeStyle = '#111';
      ctx.stroke(hit.item.path);
    }
    var meta = read(this.fig).meta, hover = meta.hover || ['', ',.0f'];
    this.tip.innerHTML = '';
    var b = document.createElement('b');
    b.textContent = hit.grey ? hit.code : hit.name || hit.code;
    this.tip.appendChild(b);
    this.tip.appendChild(document.createElement('br'));
    this.tip.appendChild(document.createTextNode(hit.grey ? meta.missing_note || '' : hover[0] + ': ' + formatter(this.lang, hover[1])(hit.z)));
    this.tip.hidden = false;
    var x = e.clientX - rect.left, y = e.clientY - rect.top, tw = this.tip.offsetWidth;
    this.tip.style.left = Math.max(0, Math.min(x + 14, this.w - tw - 4)) + 'px';
    this.tip.style.top = Math.max(0, y - 40) + 'px';
    if (e.pointerType === 'mouse' && window.tpPrefetchShapes) window.tpPrefetchShapes(hit.code);
  };

  CanvasMap.prototype.click = function (e) {
    var rect = this.over.getBoundingClientRect();
    var hit = this.at(e.clientX - rect.left, e.clientY - rect.top);
    if (!hit || hit.grey || !window.dash_clientside) return;
    // as plotly.js reports a click on a polygon: the page's update callback drills down to it
    window.dash_clientside.set_props('area-map', { clickData: { points: [{ location: hit.code }] } });
  };

  CanvasMap.prototype.png = function () {
    var a = document.createElement('a');
    a.download = (read(this.fig).meta.png || 'tpmap-map') + '.png';
    a.href = this.base.toDataURL('image/png');
    a.click();
  };

  window.tpCanvasMap = {
    // the clientside callback's entry: draw `fig` in the element `id` (made into a map the first time)
    render: function (id, fig) {
      var host = document.getElementById(id);
      if (host && fig) {
        if (!host.__tpMap) host.__tpMap = new CanvasMap(host);
        host.__tpMap.set(fig);
      }
      return window.dash_clientside ? window.dash_clientside.no_update : null;
    },
    values: function (id) { // what is drawn, for tests and the benchmark: code -> value
      var m = (document.getElementById(id) || {}).__tpMap;
      return m && m.values ? m.values : null;
    },
    // a point of the stage (CSS pixels) well inside an area (every point 4 px around it inside too), for the tests:
    // the given code, or the coloured area drawn largest
    spot: function (id, code) {
      var m = (document.getElementById(id) || {}).__tpMap;
      if (!m || !m.geo) return null;
      var items = code ? [m.geo.byCode[code]] : m.geo.list.filter(function (it) { return m.values[it.code] && !m.values[it.code].grey; });
      items = items.filter(Boolean).sort(function (a, b) {
        return (b.box[2] - b.box[0]) * (b.box[3] - b.box[1]) - (a.box[2] - a.box[0]) * (a.box[3] - a.box[1]);
      });
      for (var n = 0; n < Math.min(items.length, 20); n++) {
        var it = items[n];
        for (var i = 1; i < 16; i++) for (var j = 1; j < 16; j++) {
          var x = m.ox + (it.box[0] + ((it.box[2] - it.box[0]) * i) / 16) * m.k, y = m.oy + (it.box[1] + ((it.box[3] - it.box[1]) * j) / 16) * m.k;
          var ok = [[0, 0], [4, 0], [-4, 0], [0, 4], [0, -4]].every(function (d) {
            var h = m.at(x + d[0], y + d[1]);
            return h && h.code === it.code;
          });
          if (ok) return { code: it.code, x: x, y: y, width: m.w, height: m.h };
        }
      }
      return null;
    },
    pixel: function (id, x, y) { // the drawn colour at a point of the stage, [r, g, b]
      var m = (document.getElementById(id) || {}).__tpMap;
      return Array.prototype.slice.call(m.base.getContext('2d').getImageData(Math.round(x * m.dpr), Math.round(y * m.dpr), 1, 1).data, 0, 3);
    },
  };
})();
