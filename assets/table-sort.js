// Sorts a plain table (components/widgets.plain_table) when a header button is clicked: numbers by value, text in
// Thai order, blanks last; a second click reverses. One listener for the whole page (no inline handlers: the CSP).
document.addEventListener('click', function (event) {
  var button = event.target.closest && event.target.closest('button.tp-sort');
  if (!button) return;
  var th = button.closest('th');
  var table = th.closest('table');
  var col = Array.prototype.indexOf.call(th.parentNode.children, th);
  var dir = th.getAttribute('aria-sort') === 'descending' ? 'ascending' : 'descending';
  table.querySelectorAll('thead th').forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
  th.setAttribute('aria-sort', dir);
  var numeric = th.classList.contains('tp-num-col');
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  function key(row) {  // data-sort when the cell shows something else than it sorts by, else its text
    var cell = row.cells[col];
    if (!cell) return '';
    return cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent;
  }
  rows.sort(function (a, b) {
    var x = key(a);
    var y = key(b);
    if (!x && !y) return 0;
    if (!x) return 1;
    if (!y) return -1;
    var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, 'th');
    return dir === 'ascending' ? c : -c;
  });
  rows.forEach(function (r) { body.appendChild(r); });
});
