// One Tab stop for a long list of buttons (a roving tabindex): Tab enters the list at its current item (else the
// one last focused, else the first) and leaves it with the next Tab; ↑/↓ move through it, Home/End to its ends.
// So a keyboard user reaches the model picker after a few Tabs instead of one per session. The list may be
// redrawn at any time by whoever owns it: a MutationObserver hands the tab stop out again after each change.

/** Makes the elements matching `selector` inside `list` a single Tab stop with arrow-key movement. */
export function rove(list, selector) {
  let remembered = null; // data-id (or the element) of the item focused last
  const items = () => [...list.querySelectorAll(selector)].filter((el) => !el.disabled);
  const keyOf = (el) => el.dataset.id || el;

  const settle = () => {
    const all = items();
    const stop = all.find((el) => el === document.activeElement) ||
      all.find((el) => el.getAttribute("aria-current") === "true") ||
      all.find((el) => remembered !== null && keyOf(el) === remembered) || all[0];
    for (const el of all) el.tabIndex = el === stop ? 0 : -1;
  };

  list.addEventListener("focusin", (e) => {
    const item = e.target.closest(selector);
    if (!item || !list.contains(item)) return;
    remembered = keyOf(item);
    settle();
  });

  list.addEventListener("keydown", (e) => {
    const item = e.target.closest(selector);
    if (!item || e.altKey || e.ctrlKey || e.metaKey) return;
    const all = items();
    const at = all.indexOf(item);
    const next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 }[e.key];
    if (next === undefined || at < 0) return;
    e.preventDefault();
    const target = all[Math.max(0, Math.min(all.length - 1, next))];
    if (target) target.focus();
  });

  new MutationObserver(settle).observe(list, { childList: true, subtree: true });
  settle();
}
