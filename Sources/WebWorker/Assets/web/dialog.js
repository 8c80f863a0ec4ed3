// Confirm and prompt on the native <dialog>: modal, focus-trapped, Esc cancels, Enter confirms. Text is set
// with textContent like everything else.

import { $ } from "./dom.js";

/**
 * Shows the dialog. With `value` (a string) it has an input and resolves to the entered text; without, it
 * resolves to true. Cancel or Esc resolves to null.
 */
export function ask({ title, text, value, ok = "OK", danger = false }) {
  const dialog = $("dialog");
  const input = $("dialog-input");
  const okButton = $("dialog-ok");
  $("dialog-title").textContent = title;
  $("dialog-text").textContent = text || "";
  okButton.textContent = ok;
  okButton.classList.toggle("danger", danger);
  okButton.classList.toggle("primary", !danger);
  const withInput = typeof value === "string";
  input.hidden = !withInput;
  input.value = withInput ? value : "";
  input.setAttribute("aria-label", title);
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "ok") resolve(null);
      else resolve(withInput ? input.value : true);
    }, { once: true });
    dialog.showModal();
    if (withInput) { input.focus(); input.select(); } else $("dialog-cancel").focus();
  });
}
