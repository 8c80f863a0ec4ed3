// Confirm and prompt on the native <dialog>: modal, focus-trapped, Esc cancels, Enter confirms. Text is set
// with textContent like everything else.

import { $ } from "./dom.js";

/**
 * Shows the dialog. With `value` (a string) it has an input and resolves to the entered text; without, it
 * resolves to true. Cancel or Esc resolves to null. `type: "password"` hides what is typed (a new password).
 */
export function ask({ title, text, value, ok = "OK", danger = false, type = "text" }) {
  const dialog = $("dialog");
  const input = $("dialog-input");
  const okButton = $("dialog-ok");
  const withInput = typeof value === "string";
  $("dialog-title").textContent = title;
  // A prompt's text is its input's label (screen readers name the field by it); a confirmation's is a paragraph.
  $("dialog-text").textContent = withInput ? "" : text || "";
  $("dialog-text").hidden = withInput;
  $("dialog-label").textContent = withInput ? text || title : "";
  $("dialog-label").hidden = !withInput;
  okButton.textContent = ok;
  okButton.classList.toggle("danger", danger);
  okButton.classList.toggle("primary", !danger);
  input.hidden = !withInput;
  input.type = type;
  input.autocomplete = type === "password" ? "new-password" : "off";
  input.value = withInput ? value : "";
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
