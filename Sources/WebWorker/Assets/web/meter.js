// The cost meter: this answer, this session, and the person's own spend today against their daily limit. Amber
// past the warning ratio (or when the stream says budget_warning), red once a request was refused for the budget.
// Today's figures come from GET /api/usage, which reports the asker's own spend (scope person): against their
// own budget, or the appliance's when they have none. While that route does not exist (404) the meter shows n/a. Estimated costs (no usage from
// the upstream yet; cost_source "estimated") show with a "~", and each total says how much of it is estimated.

import { $ } from "./dom.js";
import { optional } from "./api.js";
import { usd, cost, spend, ESTIMATE_TITLE } from "./format.js";

const state = { answer: null, answerSource: null, session: null, sessionEstimated: 0, usage: null, refused: false, warning: false };

/** The last answer's cost and its cost_source. */
export function setAnswerCost(value, source = null) {
  state.answer = value;
  state.answerSource = source;
  render();
}

/** The session's cost; `messages` (the conversation's) tell how much of it is still estimated. */
export function setSessionCost(value, messages = []) {
  state.session = value;
  state.sessionEstimated = (messages || []).reduce((sum, m) => sum + (m.cost_source === "estimated" ? Number(m.cost_usd) || 0 : 0), 0);
  render();
}

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
  const answer = $("meter-answer");
  answer.textContent = cost(state.answer, state.answerSource);
  answer.title = state.answerSource === "estimated" ? ESTIMATE_TITLE : "";
  $("meter-session").textContent = state.session === null ? usd(null) : spend(state.session, state.sessionEstimated);
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
      today.textContent = `${spend(t.spend_usd, t.estimated_usd)} (no daily budget)`;
    } else {
      const pct = t.budget_usd > 0 ? Math.round((100 * t.spend_usd) / t.budget_usd) : 100;
      today.textContent = `${spend(t.spend_usd, t.estimated_usd)} / ${usd(t.budget_usd)} (${pct}%)`;
      if (t.budget_usd > 0 && t.spend_usd / t.budget_usd >= ratio) level = "warn";
    }
    if (t.warn || (u.month && u.month.warn)) level = "warn";
    const m = u.month;
    const month = !m ? "" : m.budget_usd != null
      ? `your spend in ${m.month}: ${spend(m.spend_usd, m.estimated_usd)} of ${usd(m.budget_usd)}`
      : `your spend in ${m.month}: ${spend(m.spend_usd, m.estimated_usd)}`;
    item.title = [month, "limits: your own budget, or the appliance's when you have none", Number(t.estimated_usd) > 0 || (m && Number(m.estimated_usd) > 0) ? ESTIMATE_TITLE : ""]
      .filter(Boolean).join("; ");
  }
  if (state.warning) level = "warn";
  if (state.refused) level = "err";
  item.className = `m-item ${level}`;
  today.dataset.level = level || "ok";
}
