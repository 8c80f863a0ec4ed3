// The cost meter: this answer, this session, today against the daily budget. Amber past the warning ratio (or
// when the stream says budget_warning), red once a request was refused for the budget. Today's figures come
// from GET /api/usage; while that route does not exist (404) the meter shows n/a.

import { $ } from "./dom.js";
import { optional } from "./api.js";
import { usd } from "./format.js";

const state = { answer: null, session: null, usage: null, refused: false, warning: false };

export function setAnswerCost(value) { state.answer = value; render(); }
export function setSessionCost(value) { state.session = value; render(); }

/** A stream's usage event carried budget_warning: true. */
export function flagBudgetWarning() { state.warning = true; render(); }

/** A request was refused (402 budget_exceeded): red until an answer goes through again. */
export function flagRefused() { state.refused = true; render(); }
export function clearRefused() { state.refused = false; render(); }

/** The last /api/usage answer (null when the route does not exist). */
export const usage = () => state.usage;

/** Reloads today's spend; failures leave the previous figures (the console reports nothing: it is a meter). */
export async function refreshUsage() {
  try {
    state.usage = await optional("/api/usage");
  } catch {
    // Keep what we had; the next answer refreshes it again.
  }
  render();
  return state.usage;
}

function render() {
  $("meter-answer").textContent = usd(state.answer);
  $("meter-session").textContent = usd(state.session);
  const today = $("meter-today");
  const item = today.parentElement;
  const u = state.usage;
  let level = "";
  if (!u || !u.today) {
    today.textContent = "n/a";
  } else {
    const t = u.today;
    const ratio = u.warn_ratio ?? 0.8;
    if (t.budget_usd === null || t.budget_usd === undefined) {
      today.textContent = `${usd(t.spend_usd)} (no daily budget)`;
    } else {
      const pct = t.budget_usd > 0 ? Math.round((100 * t.spend_usd) / t.budget_usd) : 100;
      today.textContent = `${usd(t.spend_usd)} / ${usd(t.budget_usd)} (${pct}%)`;
      if (t.budget_usd > 0 && t.spend_usd / t.budget_usd >= ratio) level = "warn";
    }
    if (t.warn || (u.month && u.month.warn)) level = "warn";
    if (u.month && u.month.budget_usd != null) {
      item.title = `month ${u.month.month}: ${usd(u.month.spend_usd)} of ${usd(u.month.budget_usd)}`;
    }
  }
  if (state.warning) level = "warn";
  if (state.refused) level = "err";
  item.className = `m-item ${level}`;
  today.dataset.level = level || "ok";
}
