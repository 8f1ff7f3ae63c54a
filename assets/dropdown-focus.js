// Every dcc.Dropdown reached by Tab on its own button. Dash 4's dropdown puts a hidden input before its button
// (aria-hidden, tabindex 0) that takes Tab focus and hands it to the button (tabindex -1), for Safari, which skips
// buttons when tabbing. A focusable element under aria-hidden is announced as nothing (axe: aria-hidden-focus), so
// here the input is disabled (never focused) and the button takes its place in the tab order, as every other
// button on these pages does in every browser. React sets neither attribute again: the props do not change.
(function () {
  function fix(root) {
    root.querySelectorAll('input.dash-dropdown-focus-target:not([disabled])').forEach(function (input) {
      input.disabled = true;
      input.tabIndex = -1;
      var button = input.nextElementSibling;
      if (button && button.tagName === 'BUTTON' && !button.disabled) button.tabIndex = 0;
    });
  }
  new MutationObserver(function (changes) {
    for (var i = 0; i < changes.length; i++) {
      if (changes[i].addedNodes.length) return fix(document);
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
  fix(document);
})();
