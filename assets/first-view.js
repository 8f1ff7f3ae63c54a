// The first view's picture (app.register_first_view: the page's first response carries a public page's first view
// as HTML, #tp-first-view, lying over React's root) gives way to Dash's page. It is removed in the same task as the
// router's content is put in (a MutationObserver's callback runs before the browser's next frame): the picture and the
// page are never both seen, and no element that was on the screen moves (the page's elements are new ones).
(function () {
  'use strict';
  var picture = document.getElementById('tp-first-view');
  var root = document.getElementById('react-entry-point');
  if (!picture || !root) return;

  function pageIsIn() {
    var content = document.getElementById('_pages_content');
    return !!(content && content.firstElementChild);
  }

  var observer = new MutationObserver(function () {
    if (!pageIsIn()) return;
    observer.disconnect();
    picture.remove();
  });
  observer.observe(root, { childList: true, subtree: true });
})();
