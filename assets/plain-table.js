// Writes out the tables components/widgets.plain_table sends as data (a `data-table` attribute) instead of as a
// tree of Dash components: hundreds of cells that Dash's renderer and React walked on every change of the page. The
// table is built here whenever such an element appears or its data changes; React owns the element, this script
// its contents. Its links move within the app as a dcc.Link does (the address pushed, Dash's router told), and
// assets/table-sort.js sorts it as before.
(function () {
  'use strict';

  function content(parent, v) {
    if (v === null || v === undefined) return;
    if (typeof v === 'string') { parent.appendChild(document.createTextNode(v)); return; }
    if (v.a !== undefined) {
      var a = document.createElement('a');
      a.href = v.a;
      a.textContent = v.t;
      a.setAttribute('data-link', '');
      if (v.c) a.className = v.c;
      parent.appendChild(a);
      return;
    }
    if (v.p) {
      var span = document.createElement('span');
      if (v.c) span.className = v.c;
      v.p.forEach(function (part) { content(span, part); });
      parent.appendChild(span);
    }
  }

  function render(wrap) {
    var data = wrap.getAttribute('data-table');
    if (!data || wrap.__tpTable === data) return;
    wrap.__tpTable = data;
    var spec = JSON.parse(data);
    var table = document.createElement('table');
    table.className = 'table table-sm tp-table';
    table.id = spec.id;
    var tr = table.createTHead().insertRow();
    spec.head.forEach(function (h) {
      var th = document.createElement('th');
      if (h[1]) th.className = h[1];
      if (spec.sort) {
        var b = document.createElement('button');
        b.type = 'button';
        b.className = 'tp-sort';
        b.title = spec.sort;
        b.textContent = h[0];
        th.appendChild(b);
        th.setAttribute('aria-sort', 'none');
      } else {
        th.textContent = h[0];
      }
      tr.appendChild(th);
    });
    var body = table.createTBody();
    spec.rows.forEach(function (row) {
      var r = body.insertRow();
      row.forEach(function (c) {
        var td = r.insertCell();
        content(td, c[0]);
        if (c[1] !== null) td.setAttribute('data-sort', c[1]);
        if (c[2]) td.className = c[2];
      });
    });
    wrap.replaceChildren(table);
  }

  function scan(node) {
    if (node.nodeType !== 1) return;
    if (node.hasAttribute('data-table')) render(node);
    node.querySelectorAll('[data-table]').forEach(render);
  }

  // mutation observers run before the browser paints: the table is never seen empty
  new MutationObserver(function (records) {
    records.forEach(function (r) {
      if (r.type === 'attributes') render(r.target);
      else r.addedNodes.forEach(scan);
    });
  }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-table'] });

  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[data-link]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var href = a.getAttribute('href');
    if (!href || href.charAt(0) !== '/' || href.charAt(1) === '/') return; // only the app's own addresses
    e.preventDefault();
    window.history.pushState({}, '', href);
    window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
    window.scrollTo(0, 0);
  });
})();
