// The keyboard: the shortcut list (shown by `?`, /keys and /help), scrolling the transcript from the message
// input, and what Enter does. On a hardware keyboard Enter sends and Shift+Enter is a new line; on a touch screen
// (no hover, a coarse pointer: a phone's on-screen keyboard has no Shift+Enter) Enter is a new line and TRANSMIT
// sends. Ctrl+Enter (Cmd+Enter) sends everywhere.

import { $, h } from "./dom.js";
import { transcript, scrollToEnd } from "./transcript.js";

export const SHORTCUTS = [
  ["Enter", "send (on a touch screen: new line, TRANSMIT sends)"],
  ["Shift+Enter", "new line"],
  ["Ctrl+Enter", "send, on any device"],
  ["Esc", "stop the streaming answer (and the upstream transfer); close a dialog or the session drawer"],
  ["PageUp / PageDown", "scroll the transcript (also from the message input)"],
  ["Ctrl+Home / Ctrl+End", "top / end of the transcript (also from the message input)"],
  ["Ctrl+Enter", "in a message being edited (EDIT): send it as a new branch"],
  ["Esc", "in a message being edited: cancel the edit"],
  ["Ctrl+K", "search every session"],
  ["↑ / ↓, Home / End", "move through the session list and the search results (one Tab stop each)"],
  ["Tab / Shift+Tab", "move between controls"],
  ["?", "this list (outside a text field)"],
];

const TOUCH = "(hover: none) and (pointer: coarse)";

/** Whether the page is typed on a touch screen's keyboard (then Enter is a new line). */
export function touchTyping() {
  return window.matchMedia(TOUCH).matches;
}

/** Whether this keydown in the message input sends the message. */
export function enterSends(e) {
  if (e.key !== "Enter" || e.isComposing) return false;
  if (e.ctrlKey || e.metaKey) return true;
  return !e.shiftKey && !touchTyping();
}

/** Tells the on-screen keyboard what its Enter key does, now and when the device changes. */
export function labelEnterKey(input) {
  const apply = () => input.setAttribute("enterkeyhint", touchTyping() ? "enter" : "send");
  apply();
  window.matchMedia(TOUCH).addEventListener("change", apply);
}

/**
 * PageUp/PageDown scroll the transcript by a screen, Ctrl+Home/Ctrl+End to its top/end (the end follows new
 * text again). Returns whether `e` was one of them (the caller then prevents the default).
 */
export function scrollKey(e) {
  const t = transcript();
  if (t.offsetParent === null) return false; // the terminal view is hidden
  const page = Math.max(40, t.clientHeight - 48);
  if (e.key === "PageUp" && !e.ctrlKey) t.scrollBy(0, -page);
  else if (e.key === "PageDown" && !e.ctrlKey) t.scrollBy(0, page);
  else if (e.key === "Home" && (e.ctrlKey || e.metaKey)) t.scrollTop = 0;
  else if (e.key === "End" && (e.ctrlKey || e.metaKey)) scrollToEnd();
  else return false;
  return true;
}

/** Whether keys typed at `el` are text (so `?` there is a question mark, not the shortcut list). */
export function isTextField(el) {
  return Boolean(el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName)));
}

/** Opens the shortcut list as a modal dialog (Esc or CLOSE closes it and focus returns where it was). */
export function showShortcuts() {
  const dialog = $("shortcuts");
  if (dialog.open) return;
  $("shortcuts-list").replaceChildren(...SHORTCUTS.map(([key, what]) =>
    h("tr", {}, h("th", { scope: "row" }, h("kbd", { text: key })), h("td", { text: what }))));
  dialog.showModal();
  $("shortcuts-close").focus();
}
