// Two things the third-party components leave out, put right on every page as they appear (axe-core, issue 31).
//
// 1. Every dcc.Dropdown reached by Tab on its own button. Dash 4's dropdown puts a hidden input before its button
// (aria-hidden, tabindex 0) that takes Tab focus and hands it to the button (tabindex -1), for Safari, which skips
// buttons when tabbing. A focusable element under aria-hidden is announced as nothing (aria-hidden-focus), so here
// the input is disabled (never focused) and the button takes its place in the tab order, as every other button on
// these pages does in every browser. React sets neither attribute again: the props do not change.
//
// 2. A dash_table row's selection checkbox has no label: it is named by its row (the first cell after it, the
// area's name in the ranking), so a screen reader says "สมุทรสงคราม, checkbox" and no new words are needed.
(function () {
  function fix(root) {
    root.querySelectorAll('input.dash-dropdown-focus-target:not([disabled])').forEach(function (input) {
      input.disabled = true;
      input.tabIndex = -1;
      var button = input.nextElementSibling;
      if (button && button.tagName === 'BUTTON' && !button.disabled) button.tabIndex = 0;
    });
    root.querySelectorAll('.dash-select-cell input').forEach(function (input) {
      var cell = input.closest('td');
      var named = cell && cell.parentNode.querySelector('td:not(.dash-select-cell)');
      var name = named ? named.textContent.trim() : '';
      if (name && input.getAttribute('aria-label') !== name) input.setAttribute('aria-label', name);
    });
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;  // once per frame, however many nodes a render adds
    requestAnimationFrame(function () { pending = false; fix(document); });
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  fix(document);
})();
