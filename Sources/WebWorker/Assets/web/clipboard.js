// Copying text (a code block, a whole message). The Clipboard API works only in a secure context (https, or
// localhost): an appliance reached over plain http by its LAN address has none. Then the older copy command on a
// hidden field is tried, and when that fails too the text is shown selected in a field for Ctrl+C.

import { h } from "./dom.js";

const ACK_MS = 1500;

/** Copies `text`; resolves to whether it reached the clipboard. */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Refused (no permission, page not focused): the copy command below may still work.
    }
  }
  return copyWithCommand(text);
}

function copyWithCommand(text) {
  const focused = document.activeElement;
  const field = h("textarea", { class: "visually-hidden", readonly: true, "aria-hidden": "true", tabindex: "-1" });
  field.value = text;
  document.body.append(field);
  field.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  field.remove();
  if (focused && focused.focus) focused.focus();
  return ok;
}

/**
 * Copies `text` for the COPY `button`: the button says COPIED (or COPY BY HAND) for a moment; when nothing
 * reached the clipboard, the text is shown selected after `anchor` for Ctrl+C. Resolves to whether it copied.
 */
export async function copyFromButton(button, text, anchor) {
  const label = button.dataset.label || button.textContent;
  button.dataset.label = label;
  const ok = await copyText(text);
  button.textContent = ok ? "COPIED" : "COPY BY HAND";
  button.classList.toggle("copied", ok);
  setTimeout(() => { button.textContent = label; button.classList.remove("copied"); }, ACK_MS);
  if (!ok) showForManualCopy(anchor, text, button);
  return ok;
}

/** The text selected in a read-only field after `anchor`: Ctrl+C copies it, Esc or CLOSE removes it. */
export function showForManualCopy(anchor, text, returnFocus) {
  anchor.parentElement.querySelectorAll(":scope > .manual-copy").forEach((e) => e.remove());
  const id = `manual-copy-${Date.now()}`;
  const field = h("textarea", { id, class: "manual-copy-text", readonly: true, rows: String(Math.min(12, text.split("\n").length + 1)), spellcheck: "false" });
  field.value = text;
  const close = () => { box.remove(); if (returnFocus && returnFocus.isConnected) returnFocus.focus(); };
  const box = h("div", { class: "manual-copy", role: "group", "aria-label": "Copy by hand" },
    h("label", { class: "label warn", for: id, text: "THE CLIPBOARD IS NOT AVAILABLE HERE: the text is selected, press Ctrl+C (⌘C) to copy it, Esc to close" }),
    field,
    h("button", { class: "btn small", type: "button", text: "CLOSE", onclick: close }));
  field.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); }
  });
  anchor.after(box);
  field.focus();
  field.select();
  return box;
}
