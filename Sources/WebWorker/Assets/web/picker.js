// The model picker: the server default, then every catalog model with its prices per million tokens, narrowed as
// you type in the filter beside it (real catalogues list hundreds of models): a model stays when every word typed
// appears in its id or name, and the models left show as an open list. Enter in the filter picks the first model
// left, ↓ moves into the list, Esc clears it.
// The model in use always stays in the list, so the picker never shows another one than the session's.

import { $, h, clear } from "./dom.js";
import { state } from "./state.js";
import { perMillion } from "./format.js";

let wired = false;

/** The lower-case words of the filter. */
function filterWords() {
  const box = $("model-filter");
  return box ? box.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
}

/** Whether a catalog model matches every word. */
const matches = (model, words) => {
  const text = `${model.id} ${model.name || ""}`.toLowerCase();
  return words.every((w) => text.includes(w));
};

const label = (m) => `${m.id} · in ${perMillion(m.prompt_price_per_million)} / out ${perMillion(m.completion_price_per_million)} per 1M`;

/** Draws the picker for the open session (or the model chosen for the next one), narrowed by the filter. */
export function drawModelPicker() {
  wire();
  const select = clear($("model"));
  const chosen = state.current ? state.current.model : state.pendingModel;
  const words = filterWords();
  select.append(h("option", { value: "", text: "SERVER DEFAULT" }));
  const shown = state.models.filter((m) => m.id === chosen || matches(m, words));
  if (words.length) {
    const count = state.models.filter((m) => matches(m, words)).length;
    select.append(h("option", { disabled: true, value: "-", text: `— ${count} of ${state.models.length} models match "${words.join(" ")}" —` }));
  }
  for (const m of shown) select.append(h("option", { value: m.id, text: label(m) }));
  if (chosen && !state.models.some((m) => m.id === chosen)) select.append(h("option", { value: chosen, text: `${chosen} (not in catalog)` }));
  select.value = chosen || "";
  // While filtering, the models left are shown as an open list (up to 8 rows) instead of a closed drop-down.
  if (words.length) select.size = Math.max(2, Math.min(8, select.options.length));
  else select.removeAttribute("size");
}

/** The filter's keys; added once, on the first drawing. */
function wire() {
  const box = $("model-filter");
  if (wired || !box) return;
  wired = true;
  box.addEventListener("input", drawModelPicker);
  // A model picked from the open list ends the filtering (the session's redraw shows the whole catalogue).
  $("model").addEventListener("change", () => {
    if (box.value === "") return;
    box.value = "";
    $("model").removeAttribute("size");
  });
  box.addEventListener("keydown", (e) => {
    const select = $("model");
    if (e.key === "Enter") {
      e.preventDefault();
      const first = state.models.find((m) => matches(m, filterWords()));
      if (!first) return;
      box.value = "";
      select.value = first.id;
      select.dispatchEvent(new Event("change"));
      drawModelPicker();
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      select.focus();
    } else if (e.key === "Escape" && box.value !== "") {
      e.preventDefault();
      e.stopPropagation();
      box.value = "";
      drawModelPicker();
    }
  });
}
