// A presentation tour: count down to the next stop, pause and resume with Space (or P), go on with →.
// The page says what to show (#tour-status and its data-* texts, from the translation catalogue);
// this script only keeps time, so a tour survives Dash re-rendering the page between stops.
(function () {
  var left = null, paused = false, shownFor = null;

  function status() { return document.getElementById("tour-status"); }

  function render(el) {
    var text = paused ? el.dataset.paused : el.dataset.next;
    document.getElementById("tour-text").textContent =
      text.replace("{name}", el.dataset.name).replace("{seconds}", String(left));
    document.getElementById("tour-pause").textContent = paused ? el.dataset.resume : el.dataset.pause;
  }

  function go() {
    var link = document.getElementById("tour-next-link");
    if (link) { left = null; link.click(); }
  }

  function toggle() { paused = !paused; var el = status(); if (el) render(el); }

  setInterval(function () {
    var el = status();
    if (!el) { left = null; shownFor = null; return; }
    var stop = location.pathname + location.search;  // React may reuse the element between stops
    if (shownFor !== stop) {  // a new stop: start its countdown (a pause carries over to it)
      shownFor = stop; left = parseInt(el.dataset.every, 10) || 30;
      document.getElementById("tour-pause").onclick = toggle;
    } else if (!paused && left !== null) {
      left -= 1;
    }
    render(el);
    if (!paused && left !== null && left <= 0) go();
  }, 1000);

  document.addEventListener("keydown", function (e) {
    if (!status() || e.target.closest("input, textarea, select")) return;
    if (e.key === " " || e.key === "p" || e.key === "P") { e.preventDefault(); toggle(); }
    else if (e.key === "ArrowRight") { e.preventDefault(); go(); }
  });
})();
