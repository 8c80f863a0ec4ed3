// The answer's settings before sending: max_tokens and temperature, kept per session in this browser, and what
// the next message may cost at most and how full the model's context window will be, shown while typing.

import { $, h } from "./dom.js";
import { state } from "./state.js";

const KEY = "nt.params.";

/** About four UTF-8 bytes per token: the server's estimate is finer (ADR 0015); this one only warns ahead. */
export function estimateTokens(text) {
  return Math.ceil(new TextEncoder().encode(text || "").length / 4);
}

function stored(id) {
  try { return JSON.parse(localStorage.getItem(KEY + id) || "{}"); } catch { return {}; }
}

/** The settings the next message is sent with (empty fields: the server's defaults). */
export function currentParams() {
  const out = {};
  const max = parseInt($("param-max").value, 10);
  const temp = parseFloat($("param-temp").value);
  if (Number.isInteger(max) && max > 0) out.max_tokens = max;
  if (Number.isFinite(temp) && temp >= 0 && temp <= 2) out.temperature = temp;
  return out;
}

/** Builds the fields once; they take the open session's stored values on every redraw. */
export function setUpParams() {
  const host = $("params");
  const save = () => {
    if (state.current) localStorage.setItem(KEY + state.current.id, JSON.stringify(currentParams()));
    updatePreview();
  };
  host.append(
    h("label", { for: "param-max", text: "MAX TOKENS" }),
    h("input", { id: "param-max", type: "number", min: "1", step: "1", inputmode: "numeric", placeholder: "auto" }),
    h("label", { for: "param-temp", text: "TEMP" }),
    h("input", { id: "param-temp", type: "number", min: "0", max: "2", step: "0.1", inputmode: "decimal", placeholder: "auto" }),
    h("span", { id: "preview", class: "preview", "aria-live": "polite" }),
  );
  $("param-max").addEventListener("input", save);
  $("param-temp").addEventListener("input", save);
  $("input").addEventListener("input", updatePreview);
  $("model").addEventListener("change", updatePreview);
}

/** The open session's stored settings into the fields (a new session starts with the defaults). */
export function drawParams() {
  const p = state.current ? stored(state.current.id) : {};
  $("param-max").value = p.max_tokens ?? "";
  $("param-temp").value = p.temperature ?? "";
  updatePreview();
}

/**
 * The worst case of the next message (every prompt token, and max_tokens of answer, at the model's prices) and
 * the context it fills, before sending; warns when older messages will be left out.
 */
export function updatePreview() {
  const preview = $("preview");
  const model = state.models.find((m) => m.id === $("model").value);
  if (!model) { preview.textContent = ""; return; }
  const c = state.current;
  const texts = [c && c.system_prompt, ...(c ? c.messages.filter((m) => m.role === "user" || m.content).map((m) => m.content) : []), $("input").value];
  const prompt = texts.filter(Boolean).reduce((sum, t) => sum + estimateTokens(t) + 4, 0);
  const maxTokens = currentParams().max_tokens ?? Math.min(4096, model.max_completion_tokens || 4096);
  const parts = [];
  if (model.prompt_price != null && model.completion_price != null) {
    parts.push(`WORST CASE ≤ $${(prompt * model.prompt_price + maxTokens * model.completion_price).toPrecision(2)}`);
  }
  let tight = false;
  if (model.context_length) {
    parts.push(`CONTEXT ~${prompt.toLocaleString("en-US")} / ${model.context_length.toLocaleString("en-US")}`);
    tight = prompt > model.context_length - maxTokens;
    if (tight) parts.push("older messages will be left out");
  }
  preview.textContent = parts.join(" · ");
  preview.classList.toggle("warn", tight);
}
