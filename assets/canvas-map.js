// Every choropleth of the area pages drawn on a canvas, not by plotly.js (issue 16 for the national tambon map's
// 7,425 polygons, issue 35 for all of them: plotly.js's 1 MB script no longer stands before the first map). A
// canvas fills the shapes from Path2D objects built once per shape file, in milliseconds; a recolour repaints it.
//
// It draws the figure the server builds (components.figures.choropleth, kept in the #area-canvas-fig store): the
// grey "no data" areas, the counts kept from the viewer, the coloured areas (locations, z, colorscale, zmin/zmax,
// the colour bar and its unit), the area itself outlined on its parent's map, the municipal units' circles, the
// names placed by the server (components.figures.layout_names), written by the browser's text engine with a white
// halo, the frame (layout.geo's axis ranges), the title, and layout.meta (the hover's label and number format, the
// language, the PNG's file name). A hover shows the area's name and value as plotly.js's hover templates did, a
// click sets the #area-map store as the click the page's one update callback drills down by.
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

  // the figure's parts, by role (components.figures.choropleth builds them in this order)
  function read(fig) {
    var data = (fig && fig.data) || [], layout = (fig && fig.layout) || {}, meta = layout.meta || {};
    var r = { main: null, grey: null, hidden: null, outline: null, dots: null, apart: null, names: null, layout: layout, meta: meta };
    r.layers = []; // areas in one colour each, named in a legend (components.figures.status_map: a state per trace)
    data.forEach(function (tr) {
      if (tr.type === 'choropleth') {
        if (tr.name === 'no data') r.grey = tr;
        else if (tr.name === 'hidden') r.hidden = tr;
        else if (tr.hoverinfo === 'skip') r.outline = tr; // the area itself, outlined on its parent's map
        else if (tr.showscale !== false && !r.main) r.main = tr;
        else if (tr.showlegend) r.layers.push(tr);
      } else if (tr.type === 'scattergeo') {
        if (tr.mode === 'text') r.names = tr;
        else if (tr.name === 'no value') r.apart = tr;
        else if (tr.mode === 'markers') r.dots = tr;
      }
    });
    var title = layout.title && (layout.title.text || layout.title);
    r.title = typeof title === 'string' ? title : '';
    return r;
  }

  function plain(html) { return String(html || '').replace(/<br>/g, ' ').replace(/<[^>]*>/g, ''); }

  var maps = []; // every map of the page, for a control's choice (ask)

  function CanvasMap(host) {
    maps.push(this);
    this.host = host;
    host.innerHTML = '';
    this.titleEl = el('div', 'tp-cmap-title', host);
    this.stage = el('div', 'tp-cmap-stage', host);
    this.base = el('canvas', 'tp-cmap-base', this.stage);
    this.over = el('canvas', 'tp-cmap-over', this.stage);
    this.tip = el('div', 'tp-cmap-tip', this.stage);
    this.tip.hidden = true;
    this.tip.setAttribute('role', 'status');
    this.save = el('button', 'tp-cmap-png btn btn-sm btn-outline-secondary', this.stage);
    this.save.type = 'button';
    this.base.setAttribute('role', 'img');
    this.over.setAttribute('aria-hidden', 'true');
    this.draws = 0;
    this.scale = 1;
    var self = this;
    this.over.addEventListener('pointermove', function (e) { self.hover(e); });
    this.over.addEventListener('pointerleave', function () { self.hover(null); });
    this.over.addEventListener('click', function (e) { self.click(e); });
    this.save.addEventListener('click', function () { self.png(); });
    if (window.ResizeObserver) {
      // the stage's size as the observer reads it after each layout: a drawing uses it instead of asking for a
      // layout of its own in the middle of a page's update (7-9 ms of the national map's recolour)
      new ResizeObserver(function () {
        var w = self.stage.clientWidth, h = self.stage.clientHeight;
        self.size = [w, h];
        if (self.fig && self.geo && (w !== self.w || h !== self.h)) self.draw();
      }).observe(this.stage);
    }
    // the names are the browser's text (Thai marks placed by its shaping): drawn again once the web font is here
    if (document.fonts && document.fonts.status !== 'loaded') {
      document.fonts.ready.then(function () { if (self.geo) self.draw(); });
    }
  }

  function el(tag, cls, parent) {
    var e = document.createElement(tag);
    e.className = cls;
    parent.appendChild(e);
    return e;
  }

  // a map is on its way (assets/map-first.js holds the other charts back meanwhile, at most half a second each);
  // said for a few seconds at most, whatever comes
  CanvasMap.prototype.pending = function () {
    var host = this.host;
    host.setAttribute('data-pending', '1');
    clearTimeout(this.pendingTimer);
    this.pendingTimer = setTimeout(function () { host.removeAttribute('data-pending'); }, 3000);
  };

  CanvasMap.prototype.set = function (fig) {
    var self = this;
    this.fig = fig;
    this.pending();
    var r = read(fig);
    // named from the first moment (an image without a name is nothing to a screen reader), drawn or not yet
    this.base.setAttribute('aria-label', plain(r.title));
    // the national tambon map takes the screen's height; every other map plotly.js's fixed one (its layout.height)
    if (this.host.classList.contains('tp-cmap-tall') !== !!r.meta.tall) {
      this.host.classList.toggle('tp-cmap-tall', !!r.meta.tall);
      this.size = null; // another height: measured afresh
    }
    var url = (r.main || r.grey || r.hidden || r.layers[0] || {}).geojson;
    if (!url) return Promise.resolve();
    return load(url).then(function (geo) {
      if (self.fig !== fig) return; // a newer figure came meanwhile
      self.geo = geo;
      self.host.setAttribute('data-shapes', url);
      self.draw();
    }, function () {
      self.host.removeAttribute('data-pending');
      // the shape file did not come (the network, a restart): say so where the map would be, not a blank box
      self.titleEl.textContent = (r.meta && r.meta.failed) || 'The map could not be loaded';
      self.host.setAttribute('data-failed', '1');
    });
  };

  // The map a metric or a click asks for, drawn before the page's update (pages/_map_preview.py): fetched from
  // layout.meta.preview's address with `params` set, drawn when it comes unless something newer came meanwhile (a
  // later choice, or the update's own figure). The update follows and is drawn only if its map differs (render).
  // Dash's answers wait meanwhile (holdAnswers), until the frame that shows the map, or HOLD_MS at most: applying
  // an answer takes Dash 30-70 ms, and the map's frame came after it.
  var HOLD_MS = 300;
  CanvasMap.prototype.preview = function (params) {
    var p = read(this.fig).meta.preview;
    if (!p || !p.url || !window.fetch) return null;
    var url = new URL(p.url, window.location.href), shown = this.fig;
    Object.keys(params).forEach(function (k) { url.searchParams.set(k, params[k]); });
    // the same traces over the same areas: their values alone come (a national map's: 16 KB instead of 62)
    if (!params.to && read(shown).meta.map) url.searchParams.set('have', read(shown).meta.map);
    // a label's click is forwarded to its input as a second click: one fetch for both
    if (url.href === this.askedUrl && performance.now() - this.askedAt < 1000) return null;
    this.askedUrl = url.href;
    this.askedAt = performance.now();
    var self = this, asked = (this.asked = (this.asked || 0) + 1), release = holdAnswers();
    this.pending();
    // settled once the map is drawn and its frame shown, or the preview given up
    return fetch(url.pathname + url.search, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (fig) {
        if (!fig || asked !== self.asked || (fig.values && fig.values.length !== shown.data.length)) return null;
        self.previewed = (self.previewed || 0) + 1;
        return self.set(fig.values ? laid(shown, fig) : fig).then(nextFrame);
      })
      .catch(function () {}) // the update draws it all the same
      .then(release);
  };

  // a preview's values laid over the figure they recolour, as Dash lays an update's patch over its store
  function laid(shown, values) {
    return {
      data: shown.data.map(function (tr, i) { return Object.assign({}, tr, values.values[i]); }),
      layout: Object.assign({}, shown.layout, values.layout),
    };
  }

  // the end of the frame after this moment (its style, layout and paint)
  function nextFrame() {
    return new Promise(function (done) { requestAnimationFrame(function () { setTimeout(done, 0); }); });
  }

  // Dash's answers held while a preview is on its way: its callbacks' requests go through window.fetch, whose
  // answers resolve after every hold is released (each at most HOLD_MS after it began)
  var holds = [];
  function holdAnswers() {
    var release, held = new Promise(function (r) { release = r; });
    var timer = setTimeout(release, HOLD_MS);
    holds.push(held);
    held.then(function () { clearTimeout(timer); holds.splice(holds.indexOf(held), 1); });
    return function () { release(); };
  }
  if (window.fetch) {
    var fetch0 = window.fetch;
    window.fetch = function (input) {
      var answer = fetch0.apply(this, arguments), url = typeof input === 'string' ? input : (input && input.url) || '';
      if (url.indexOf('/_dash-update-component') < 0) return answer;
      return answer.then(function (r) { return holds.length ? Promise.all(holds).then(function () { return r; }) : r; });
    };
  }

  // A control chosen: the maps whose preview names that control (layout.meta.preview.controls: element id ->
  // the query's parameter) fetch their map at once, in the event's capture, before the control and Dash handle it.
  // A menu is Dash's dropdown (a button whose popover lists options, each with its value in an input), chosen by
  // a click or Enter on an option; a group of radio buttons changes.
  function chosen(e) {
    if (replaying) return; // a held click given back to the page: its map is asked for already
    if (e.isTrusted) giveBack(); // a later input comes after the choice held back, as it was made
    var t = e.target, opt = t && t.closest && t.closest('[role=option]');
    if (opt) {
      if (e.type === 'keydown' && e.key !== 'Enter' && e.key !== ' ') return;
      var input = opt.querySelector('input');
      if (!input || opt.getAttribute('aria-selected') === 'true') return;
      var drawn = ask(opt, input.value);
      if (e.type === 'click' && drawn.length) holdBack(e, opt, input.value, drawn);
    } else if (e.type === 'change' && t.type === 'radio' && t.checked) {
      ask(t, t.value);
    }
  }

  // the maps' previews asked for: a promise each, settled when its map is drawn (or given up)
  function ask(from, value) {
    // (a map whose page has gone is let go: in-app moves replace the map's holder)
    maps = maps.filter(function (m) { return document.body.contains(m.host); });
    var drawn = [];
    maps.forEach(function (m) {
      var p = m.fig && read(m.fig).meta.preview, param = p && p.controls && controlOf(from, p.controls);
      if (!param) return;
      var q = {};
      q[param] = value;
      var d = m.preview(q);
      if (d) drawn.push(d);
    });
    return drawn;
  }

  // A menu's option clicked, its map asked for: the click is held back from the page until that map is drawn (its
  // frame shown), HOLD_BACK_MS at most, then given back as the same click. Dash's handling of a choice takes 30-50
  // ms of the main thread (the menu's closing, the store's updates, the callback's request), and the preview's
  // answer, back within 10-30 ms, waited behind it: the national map's recolour came to its frame after 115 ms
  // instead of about 60. The menu closes a frame after the map changed. Only the page's own listeners wait (the
  // click stops at the document; React listens below it); a later click, key or touch gives it back first, so
  // inputs keep their order.
  var HOLD_BACK_MS = 150, heldBack = null, replaying = false;
  function holdBack(e, opt, value, drawn) {
    e.preventDefault(); // a label's click is not forwarded to its input now; the given-back click is
    e.stopPropagation();
    // given back on the option itself (a click on its text, its input or its icon, an SVG element without click(),
    // comes to the same: the option's label forwards it to its input)
    var target = opt, list = opt.closest('[role=listbox]'), timer = setTimeout(back, HOLD_BACK_MS);
    function back() {
      if (heldBack !== back) return;
      heldBack = null;
      clearTimeout(timer);
      // the option as it is now, should the menu have been drawn again meanwhile
      if (!target.isConnected && list && list.isConnected) {
        var again = Array.prototype.find.call(list.querySelectorAll('[role=option] input'), function (i) { return i.value === value; });
        target = again && again.closest('[role=option]');
      }
      if (!target || !target.isConnected) return;
      replaying = true;
      try { target.click(); } finally { replaying = false; }
    }
    heldBack = back;
    Promise.all(drawn).then(back, back);
  }
  function giveBack() { if (heldBack) heldBack(); }
  document.addEventListener('pointerdown', function (e) { if (e.isTrusted) giveBack(); }, true);

  // the parameter of the control an element is part of: an element named in `controls`, or the popover of a menu
  // button named there
  function controlOf(el, controls) {
    for (var box = el; box; box = box.parentElement) {
      if (!box.id) continue;
      if (controls[box.id]) return controls[box.id];
      var menu = document.querySelector('[aria-controls="' + CSS.escape(box.id) + '"]');
      if (menu && controls[menu.id]) return controls[menu.id];
    }
    return null;
  }
  ['click', 'keydown', 'change'].forEach(function (type) { document.addEventListener(type, chosen, true); });

  // the projected box the map frames: the layout's axis ranges (components.figures.frame), else every shape
  function frameBox(r, geo) {
    var g = r.layout.geo || {}, lon = g.lonaxis && g.lonaxis.range, lat = g.lataxis && g.lataxis.range;
    if (!lon || !lat) return geo.box;
    return [(lon[0] * Math.PI) / 180, -mercY(lat[1]), (lon[1] * Math.PI) / 180, -mercY(lat[0])];
  }

  function fontSize(v, i, dflt) { return (Array.isArray(v) ? v[i] : v) || dflt; }

  CanvasMap.prototype.draw = function () {
    // nothing to draw before the shapes are here: a resize then would also overwrite the "could not load" message
    if (!this.geo) return;
    var t0 = performance.now();
    var r = read(this.fig), geo = this.geo, meta = r.meta, lang = meta.lang || document.documentElement.lang || 'th';
    this.lang = lang;
    // the title's line breaks were placed for plotly.js's fixed width (components.figures.wrap): HTML wraps it to
    // the width it has
    this.titleEl.textContent = plain(r.title);
    this.base.setAttribute('aria-label', this.titleEl.textContent);
    this.save.textContent = meta.png_label || 'PNG';
    this.save.title = meta.png_label || 'PNG';
    var size = this.size || [this.stage.clientWidth, this.stage.clientHeight];
    var dpr = (window.devicePixelRatio || 1) * this.scale, W = size[0], H = size[1];
    this.w = W; this.h = H;
    [this.base, this.over].forEach(function (c) {
      // a canvas given its own size again throws its pixels away and is made anew: only when it changes
      var cw = Math.round(W * dpr), ch = Math.round(H * dpr);
      if (c.width !== cw || c.height !== ch) { c.width = cw; c.height = ch; }
      else if (c.getContext('2d').reset) c.getContext('2d').reset(); // blank, its state as new (a resize's effect)
      c.style.width = W + 'px'; c.style.height = H + 'px';
    });
    var ctx = this.base.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.base.width, this.base.height);
    if (W < 10 || H < 10) return;
    this.dpr = dpr;
    var colour = r.main ? this.scaleOf(r.main) : null;
    // the map fills what the colour bar leaves, the frame a little padded
    var bar = r.main ? this.barWidth(ctx, r, W) : 0, pad = 8, box = frameBox(r, geo);
    var bw = box[2] - box[0] || 1e-3, bh = box[3] - box[1] || 1e-3;
    var k = Math.min((W - bar - 2 * pad) / bw, (H - 2 * pad) / bh);
    var ox = pad + (W - bar - 2 * pad - bw * k) / 2 - box[0] * k, oy = pad + (H - 2 * pad - bh * k) / 2 - box[1] * k;
    this.k = k; this.ox = ox; this.oy = oy;
    ctx.setTransform(k * dpr, 0, 0, k * dpr, ox * dpr, oy * dpr);
    this.values = {};
    this.fillAreas(ctx, r, colour);
    // the borders, all at once: thin enough not to wash 7,425 small areas out
    var line = (r.main && r.main.marker && r.main.marker.line && r.main.marker.line.width) || 0.5;
    this.borders(ctx, geo, Math.max(0.35, Math.min(1, line)) / k, [k, ox, oy, dpr]);
    if (r.outline) {
      ctx.lineWidth = 3 / k;
      ctx.strokeStyle = '#111';
      r.outline.locations.forEach(function (c) { var it = geo.byCode[c]; if (it) ctx.stroke(it.path); });
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.dots = [];
    if (r.apart) this.drawDots(ctx, r.apart, null, meta);
    if (r.dots) this.drawDots(ctx, r.dots, colour ? this.scaleOf(r.dots, true) : null, meta);
    this.drawn = r.names ? this.drawNames(ctx, r.names) : [];
    if (r.main) this.colourBar(ctx, r, colour, W - bar + 12, H, lang);
    if (r.layers.length) this.swatches(ctx, r.layers, H, (r.layout.legend && r.layout.legend.font && r.layout.legend.font.size) || 12);
    var legend = r.dots || r.apart;
    if (legend && legend.showlegend !== false && legend.name) this.legend(ctx, legend.name, H, (r.layout.legend && r.layout.legend.font && r.layout.legend.font.size) || 12);
    this.hover(null);
    this.draws += 1;
    this.shown = meta.shown || null;
    this.host.removeAttribute('data-pending');
    this.host.setAttribute('data-drawn', String(this.draws));
    this.host.setAttribute('data-draw-ms', String(Math.round(performance.now() - t0)));
    this.host.dispatchEvent(new CustomEvent('tp-map-drawn', { bubbles: true, detail: { at: performance.now() } }));
  };

  // Every area's border, stroked once for a size and frame and kept as an image: a recolour lays that image over
  // the new fills instead of stroking 7,425 outlines again (4 ms of a national recolour's 18 ms of painting, in
  // software). The same pixels: a stroke laid over the fills is the stroke drawn on them.
  CanvasMap.prototype.borders = function (ctx, geo, width, frame) {
    var key = [geo.box.join(), width, this.base.width, this.base.height].concat(frame).join(), kept = this.kept;
    if (!kept || kept.key !== key || kept.geo !== geo) {
      var c = kept ? kept.canvas : document.createElement('canvas');
      c.width = this.base.width;
      c.height = this.base.height;
      var k = c.getContext('2d');
      k.setTransform(frame[0] * frame[3], 0, 0, frame[0] * frame[3], frame[1] * frame[3], frame[2] * frame[3]);
      k.lineWidth = width;
      k.strokeStyle = 'rgba(255,255,255,0.8)';
      k.stroke(geo.outline);
      kept = this.kept = { key: key, geo: geo, canvas: c };
    }
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(kept.canvas, 0, 0);
    ctx.restore();
  };

  // a trace's colour scale over its range (a choropleth's zmin/zmax, a marker's cmin/cmax)
  CanvasMap.prototype.scaleOf = function (tr, marker) {
    var src = marker ? tr.marker || {} : tr, vals = (marker ? src.color : tr.z) || [];
    var finite = vals.filter(function (v) { return typeof v === 'number' && isFinite(v); });
    var lo = (marker ? src.cmin : src.zmin), hi = (marker ? src.cmax : src.zmax);
    if (lo == null) lo = finite.length ? Math.min.apply(null, finite) : 0;
    if (hi == null) hi = finite.length ? Math.max.apply(null, finite) : 1;
    if (!marker) this.range = [lo, hi];
    return scaler(src.colorscale || (this.fig && read(this.fig).main.colorscale), lo, hi);
  };

  CanvasMap.prototype.fillAreas = function (ctx, r, colour) {
    var geo = this.geo, values = this.values, fills = (this.fills = {});
    function flat(tr, fallback) { return (tr.colorscale && tr.colorscale[0][1]) || fallback; }
    if (r.grey) {
      ctx.fillStyle = flat(r.grey, '#bdbdbd');
      r.grey.locations.forEach(function (c) {
        var it = geo.byCode[c];
        if (it) { ctx.fill(it.path, 'evenodd'); values[c] = { grey: true }; }
      });
    }
    r.layers.forEach(function (tr) {
      ctx.fillStyle = flat(tr, '#bdbdbd');
      var css = ctx.fillStyle;
      tr.locations.forEach(function (c, i) {
        var it = geo.byCode[c], cd = (tr.customdata || [])[i];
        if (!it) return;
        ctx.fill(it.path, 'evenodd');
        fills[c] = css;
        values[c] = Array.isArray(cd) ? { name: cd[0], line: cd[1] } : { name: cd, line: tr.name };
      });
    });
    if (r.hidden) { // counts kept from the viewer: a colour of their own, their bounds in words
      ctx.fillStyle = flat(r.hidden, '#9ecae1');
      r.hidden.locations.forEach(function (c, i) {
        var it = geo.byCode[c], cd = (r.hidden.customdata || [])[i] || [];
        if (it) { ctx.fill(it.path, 'evenodd'); values[c] = { name: cd[0], line: cd[1] }; }
      });
    }
    if (r.main) {
      // the areas of one colour filled together: a colour set and read back once, not once for each of 7,425 areas
      // (the recolour of the national tambon map spent most of its drawing there); the areas do not overlap, so the
      // order they are filled in does not show
      var z = r.main.z, names = r.main.text || [], cds = r.main.customdata || [], byColour = {};
      r.main.locations.forEach(function (c, i) {
        var it = geo.byCode[c];
        if (!it) return;
        var col = z[i] === null ? '#bdbdbd' : colour(z[i]);
        (byColour[col] || (byColour[col] = [])).push(it);
        var cd = cds[i];
        values[c] = cd ? { z: z[i], name: cd[0], line: cd[1] } : { z: z[i], name: names[i] };
      });
      Object.keys(byColour).forEach(function (col) {
        ctx.fillStyle = col;
        var css = ctx.fillStyle; // as the canvas writes it (#rrggbb): what fills() reports
        byColour[col].forEach(function (it) { ctx.fill(it.path, 'evenodd'); fills[it.code] = css; });
      });
    }
  };

  // the municipal units: circles on the same scale (`colour`), or in the colour each is given (no value, hidden)
  CanvasMap.prototype.drawDots = function (ctx, tr, colour, meta) {
    var m = tr.marker || {}, size = (m.size || 5) / 2, k = this.k, ox = this.ox, oy = this.oy;
    ctx.lineWidth = (m.line && m.line.width) || 0.5;
    ctx.strokeStyle = (m.line && m.line.color) || '#111';
    for (var i = 0; i < tr.lon.length; i++) {
      var x = ox + ((tr.lon[i] * Math.PI) / 180) * k, y = oy - mercY(tr.lat[i]) * k;
      var cd = (tr.customdata || [])[i] || [], c = Array.isArray(m.color) ? m.color[i] : m.color;
      ctx.beginPath();
      ctx.arc(x, y, size, 0, 2 * Math.PI);
      ctx.fillStyle = colour && typeof c === 'number' ? colour(c) : typeof c === 'string' ? c : '#bdbdbd';
      ctx.fill();
      ctx.stroke();
      this.dots.push({ x: x, y: y, r: Math.max(size, 4), code: cd[2], name: cd[0], line: cd[1] || null, z: typeof c === 'number' ? c : null });
    }
    this.dotSize = size;
  };

  // the names the server placed (components.figures.layout_names: which, at what size, on or beside their point),
  // written by the browser's text engine in dark letters with a white halo
  CanvasMap.prototype.drawNames = function (ctx, tr) {
    var out = [], f = tr.textfont || {}, k = this.k, ox = this.ox, oy = this.oy;
    ctx.lineJoin = 'round';
    for (var i = 0; i < (tr.text || []).length; i++) {
      var size = fontSize(f.size, i, 11), pos = (Array.isArray(tr.textposition) ? tr.textposition[i] : tr.textposition) || 'middle center';
      var x = ox + ((tr.lon[i] * Math.PI) / 180) * k, y = oy - mercY(tr.lat[i]) * k, gap = size * 0.3;
      ctx.font = size + 'px ' + FONT;
      ctx.textAlign = /right$/.test(pos) ? 'left' : /left$/.test(pos) ? 'right' : 'center';
      ctx.textBaseline = /^top/.test(pos) ? 'bottom' : /^bottom/.test(pos) ? 'top' : 'middle';
      if (/right$/.test(pos)) x += gap; else if (/left$/.test(pos)) x -= gap;
      if (/^top/.test(pos)) y -= gap; else if (/^bottom/.test(pos)) y += gap;
      ctx.lineWidth = Math.max(3, size * 0.28);
      ctx.strokeStyle = 'rgba(255,255,255,0.92)';
      ctx.strokeText(tr.text[i], x, y);
      ctx.fillStyle = (f.color && !Array.isArray(f.color) && f.color) || '#111';
      ctx.fillText(tr.text[i], x, y);
      var w = ctx.measureText(tr.text[i]).width, left = ctx.textAlign === 'left' ? x : ctx.textAlign === 'right' ? x - w : x - w / 2;
      var top = ctx.textBaseline === 'top' ? y : ctx.textBaseline === 'bottom' ? y - size : y - size / 2;
      out.push({ text: tr.text[i], x: x, y: y, size: size, box: [left, top, left + w, top + size] });
    }
    ctx.textAlign = 'left';
    return out;
  };

  function barParts(r) {
    var cb = r.main.colorbar || {};
    return {
      unit: (cb.title && cb.title.text) || '',
      unitPx: (cb.title && cb.title.font && cb.title.font.size) || (cb.tickfont && cb.tickfont.size) || 12,
      px: (cb.tickfont && cb.tickfont.size) || 12,
      thick: cb.thickness || 14,
    };
  }

  // as many decimals as the ticks' step needs (an MPI bar's step is 0.002: two fixed decimals wrote every tick 0.00)
  function barFormat(lang, lo, hi) {
    var t = ticks(lo, hi), step = t.length > 1 ? t[1] - t[0] : Math.abs(hi - lo);
    var digits = step > 0 ? Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9))) : 2;
    return formatter(lang, ',.' + digits + 'f');
  }

  // room for the colour bar: its thickness and its widest tick label (a projector's are twice a screen's)
  CanvasMap.prototype.barWidth = function (ctx, r, W) {
    var b = barParts(r), lo = this.range[0], hi = this.range[1], fmt = barFormat(this.lang, lo, hi);
    ctx.font = b.px + 'px ' + FONT;
    var widest = 0;
    ticks(lo, hi).forEach(function (v) { widest = Math.max(widest, ctx.measureText(fmt(v)).width); });
    return Math.min(W * 0.3, 12 + b.thick + 10 + widest + 8);
  };

  CanvasMap.prototype.colourBar = function (ctx, r, colour, x, H, lang) {
    var b = barParts(r), lo = this.range[0], hi = this.range[1], top = H * 0.1 + b.unitPx, h = H * 0.8 - b.unitPx, w = b.thick;
    for (var i = 0; i < h; i++) {
      ctx.fillStyle = colour(hi - ((hi - lo) * i) / h);
      ctx.fillRect(x, top + i, w, 1.5);
    }
    ctx.strokeStyle = '#444';
    ctx.lineWidth = 0.5;
    ctx.strokeRect(x, top, w, h);
    ctx.fillStyle = '#222';
    ctx.font = b.px + 'px ' + FONT;
    ctx.textBaseline = 'middle';
    var fmt = barFormat(lang, lo, hi);
    ticks(lo, hi).forEach(function (v) {
      var y = top + h - ((v - lo) / (hi - lo || 1)) * h;
      ctx.fillRect(x + w, y, 4, 0.8);
      ctx.fillText(fmt(v), x + w + 6, y);
    });
    // the unit above the bar, kept inside the canvas however long it is
    ctx.font = b.unitPx + 'px ' + FONT;
    ctx.textBaseline = 'bottom';
    var uw = ctx.measureText(b.unit).width;
    ctx.fillText(b.unit, Math.max(2, Math.min(x, this.w - uw - 4)), top - 6);
  };

  // a legend of colours (plotly.js's for one trace per state): a swatch and the trace's name each, bottom left
  CanvasMap.prototype.swatches = function (ctx, layers, H, px) {
    ctx.font = px + 'px ' + FONT;
    ctx.textBaseline = 'middle';
    var line = Math.round(px * 1.6), width = 0;
    layers.forEach(function (tr) { width = Math.max(width, ctx.measureText(tr.name || '').width); });
    var top = H - line * layers.length - 6;
    ctx.fillStyle = 'rgba(255,255,255,0.8)';
    ctx.fillRect(2, top - 4, width + px * 2 + 16, line * layers.length + 8);
    layers.forEach(function (tr, i) {
      var y = top + line * i + line / 2;
      ctx.fillStyle = (tr.colorscale && tr.colorscale[0][1]) || '#bdbdbd';
      ctx.fillRect(8, y - px / 2, px * 1.4, px);
      ctx.fillStyle = '#222';
      ctx.fillText(tr.name || '', 14 + px * 1.4, y);
    });
  };

  CanvasMap.prototype.legend = function (ctx, label, H, px) {
    ctx.font = px + 'px ' + FONT;
    ctx.textBaseline = 'middle';
    var r = Math.max(4, px / 3), y = H - px - 2;
    ctx.fillStyle = 'rgba(255,255,255,0.8)';
    ctx.fillRect(4, y - px, ctx.measureText(label).width + 4 * r + 14, 2 * px);
    ctx.beginPath();
    ctx.arc(10 + r, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = '#999';
    ctx.fill();
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.fillStyle = '#222';
    ctx.fillText(label, 16 + 2 * r, y);
  };

  // what is under a point of the stage (CSS pixels): a municipal unit's dot first (drawn on top), then a polygon
  CanvasMap.prototype.at = function (px, py) {
    if (!this.geo || !this.dots) return null;
    for (var i = this.dots.length - 1; i >= 0; i--) {
      var d = this.dots[i];
      if ((d.x - px) * (d.x - px) + (d.y - py) * (d.y - py) <= d.r * d.r) return { code: d.code, name: d.name, z: d.z, line: d.line };
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

  // the hover's two lines, as plotly.js's hover templates wrote them
  CanvasMap.prototype.words = function (hit) {
    var meta = read(this.fig).meta, hover = meta.hover;
    if (hit.grey) return [hit.code, meta.missing_note || ''];
    if (hit.line) return [hit.name || hit.code, hit.line];
    return [hit.name || hit.code, hover ? hover[0] + ': ' + formatter(this.lang, hover[1])(hit.z) : formatter(this.lang, ',.0f')(hit.z)];
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
    var words = this.words(hit);
    this.tip.innerHTML = '';
    var b = document.createElement('b');
    b.textContent = words[0];
    this.tip.appendChild(b);
    if (words[1]) {
      this.tip.appendChild(document.createElement('br'));
      this.tip.appendChild(document.createTextNode(words[1]));
    }
    this.tip.hidden = false;
    var x = e.clientX - rect.left, y = e.clientY - rect.top, tw = this.tip.offsetWidth;
    this.tip.style.left = Math.max(0, Math.min(x + 14, this.w - tw - 4)) + 'px';
    this.tip.style.top = Math.max(0, y - 40) + 'px';
    if (e.pointerType === 'mouse' && window.tpPrefetchShapes) window.tpPrefetchShapes(hit.code);
  };

  CanvasMap.prototype.click = function (e) {
    var rect = this.over.getBoundingClientRect();
    var hit = this.at(e.clientX - rect.left, e.clientY - rect.top);
    // a map that leads nowhere says so (layout.meta.click null: components.canvas_map's status maps)
    var to = read(this.fig).meta.click;
    if (!hit || !hit.code || !window.dash_clientside || to === null) return;
    this.pending();
    // the next map's shapes fetched and made into paths while the server answers, not after (a touch screen has
    // had no resting pointer to fetch them before)
    var next = window.tpShapesOf && window.tpShapesOf(hit.code);
    if (next) load(next).catch(function () {});
    // the page's update callback drills down to it (#area-map, a store: the same area clicked twice is two clicks)
    window.dash_clientside.set_props(to || 'area-map', { data: { points: [{ location: hit.code }], at: Date.now() } });
    this.preview({ to: hit.code });
  };

  // the PNG: the map as drawn, on white, its title above it (plotly.js's PNG had its title too), at twice the size
  CanvasMap.prototype.png = function () {
    var keep = this.scale;
    this.scale = 2;
    this.draw();
    var title = this.titleEl.textContent, px = parseFloat(getComputedStyle(this.titleEl).fontSize) || 17;
    var out = document.createElement('canvas'), s = this.dpr, head = Math.round(px * 2.2);
    out.width = this.base.width; out.height = this.base.height + Math.round(head * s);
    var ctx = out.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = '#111';
    ctx.font = px * s + 'px ' + FONT;
    ctx.textBaseline = 'middle';
    ctx.fillText(title, 10 * s, (head * s) / 2, out.width - 20 * s);
    ctx.drawImage(this.base, 0, Math.round(head * s));
    var a = document.createElement('a');
    a.download = (read(this.fig).meta.png || 'tpmap-map') + '.png';
    a.href = out.toDataURL('image/png');
    this.host.setAttribute('data-png', a.download);
    a.click();
    this.scale = keep;
    this.draw();
  };

  window.tpCanvasMap = {
    // the clientside callback's entry: draw `fig` in the element `id` (made into a map the first time)
    render: function (id, fig) {
      var host = document.getElementById(id);
      if (host && fig) {
        var map = host.__tpMap || (host.__tpMap = new CanvasMap(host));
        map.asked = (map.asked || 0) + 1; // a preview still on its way is older than this
        var shown = ((fig.layout || {}).meta || {}).shown;
        // the map drawn already, from its preview: the same view, the same figure
        if (shown && shown === map.shown && map.fig && read(map.fig).meta.shown === shown) map.fig = fig;
        else map.set(fig);
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
    fills: function (id) { // the colour each coloured area was filled with: code -> CSS colour
      var m = (document.getElementById(id) || {}).__tpMap;
      return m && m.fills ? m.fills : null;
    },
    names: function (id) { // the names written on the map: text, point, size (for tests and screenshots)
      var m = (document.getElementById(id) || {}).__tpMap;
      return m && m.drawn ? m.drawn : null;
    },
    dots: function (id) { // the municipal units' circles: code, name, point
      var m = (document.getElementById(id) || {}).__tpMap;
      return m && m.dots ? m.dots.map(function (d) { return { code: d.code, name: d.name, x: d.x, y: d.y }; }) : null;
    },
    // a point well inside the n-th largest coloured area (spot's, for a benchmark's click on "some area")
    spots: function (id, n) {
      var m = (document.getElementById(id) || {}).__tpMap;
      if (!m || !m.geo) return null;
      var codes = m.geo.list.filter(function (it) { return m.values[it.code] && !m.values[it.code].grey; });
      for (var i = 0; i < codes.length; i++) {
        var s = this.spot(id, codes[(n + i) % codes.length].code);
        if (s) return s;
      }
      return null;
    },
    pixel: function (id, x, y) { // the drawn colour at a point of the stage, [r, g, b]
      var m = (document.getElementById(id) || {}).__tpMap;
      return Array.prototype.slice.call(m.base.getContext('2d').getImageData(Math.round(x * m.dpr), Math.round(y * m.dpr), 1, 1).data, 0, 3);
    },
  };
})();
