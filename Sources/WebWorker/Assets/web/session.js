// The open session: loading and drawing it, the session bar (title, model picker, system prompt text) and the
// session list; the bar's actions are in actions.js. An answer that was still streaming when the page loaded
// (a reload mid-answer) is polled until it reaches its final state: the page shows how far it got and how it ended.

import { $, h, clear } from "./dom.js";
import { api } from "./api.js";
import { state } from "./state.js";
import { drawModelPicker } from "./picker.js";
import { say, report, clearNotices } from "./notices.js";
import { messageView, replaceMessage, markLastAnswer, emptyState, notFoundState, transcript, scrollToEnd } from "./transcript.js";
import { renderSessions, loadSessions } from "./sidebar.js";
import { setAnswerCost, setSessionCost } from "./meter.js";
import { drawParams, updatePreview } from "./params.js";
import { drawTools } from "./msgtools.js";

const POLL_MS = 500;
let onRegenerate = () => {};

/** chat.js registers its regenerate action here (avoids a circular import). */
export function setRegenerateAction(fn) { onRegenerate = fn; }

export { drawModelPicker };

export const convURL = (id) => `/api/conversations/${encodeURIComponent(id)}`;

/** Reloads the session list (as many sessions as it showed; sidebar.js pages through the rest). */
export async function refreshSessions() {
  try {
    await loadSessions();
  } catch (err) {
    report(err, "SESSION LIST");
  }
  renderSessions(state.conversations, state.total, state.current && state.current.id, (id) => navigate(id));
}

/** Changes the URL to a session (the hashchange handler opens it). */
export function navigate(id) {
  const target = id ? `#/c/${id}` : "#/";
  if (location.hash !== target) location.hash = target;
  document.body.classList.remove("sessions-open");
  $("toggle-sessions").setAttribute("aria-expanded", "false");
}

/** Loads and draws a conversation. Returns false when it does not exist. */
export async function openConversation(id, { poll = false } = {}) {
  stopPolling();
  const focusMessage = state.focusMessage;
  state.focusMessage = null;
  let detail;
  try {
    detail = await api.get(convURL(id));
  } catch (err) {
    report(err, "OPEN SESSION");
    if (err.status === 404) {
      // The address stays (it is what was asked for); the transcript says it names no session of this person.
      state.current = null;
      drawEmpty();
      clear(transcript()).append(notFoundState());
      renderSessions(state.conversations, state.total, null, (cid) => navigate(cid));
    }
    return false;
  }
  if (focusMessage && !detail.messages.some((m) => m.id === focusMessage)) detail = await branchHolding(id, focusMessage, detail);
  if (!state.current || state.current.id !== id) clearNotices();
  state.current = detail;
  drawTranscript(poll);
  drawSessionBar();
  drawParams();
  renderSessions(state.conversations, state.total, id, (cid) => navigate(cid));
  if (focusMessage) {
    const el = transcript().querySelector(`article[data-id="${CSS.escape(focusMessage)}"]`);
    if (el) { el.scrollIntoView({ block: "center" }); el.classList.add("hit"); }
  }
  return true;
}

/**
 * A search hit on another branch than the one shown: that branch becomes the visible path (PUT …/leaf), so the
 * hit can be shown. Returns the conversation to draw (unchanged when it cannot switch now).
 */
async function branchHolding(id, messageId, detail) {
  if (state.stream && state.stream.conversationId === id) return detail; // the server would refuse: 409
  try {
    const switched = await api.put(`${convURL(id)}/leaf`, { message_id: messageId });
    say("info", "BRANCH SWITCHED to the one holding the search hit");
    return switched;
  } catch (err) {
    report(err, "OPEN SEARCH HIT");
    return detail;
  }
}

/** Draws the whole transcript of the open conversation (only on open; streaming touches one message). */
export function drawTranscript(poll = false) {
  const c = state.current;
  const t = clear(transcript());
  if (c.system_prompt) t.append(messageView({ role: "system", content: c.system_prompt, id: "system-prompt" }));
  const live = state.stream && state.stream.conversationId === c.id ? state.stream.view : null;
  for (const m of c.messages) {
    if (live && m.id === live.article.dataset.id) { t.append(live.article); continue; }
    t.append(messageView(m));
  }
  if (live && !live.article.isConnected) t.append(live.article);
  if (c.messages.length === 0 && !live) t.append(h("p", { class: "empty", text: "> SESSION READY. Type a message and press Enter (or /help)." }));
  const last = c.messages[c.messages.length - 1];
  if (!live && last && last.role === "assistant" && last.status === "streaming") {
    // Followed live (chat.js); re-read from storage when it is not live here (`poll`).
    if (poll) startPolling(c.id, last.id);
    else window.dispatchEvent(new CustomEvent("nt:streaming-answer", { detail: { conversationId: c.id, message: last } }));
  }
  const answers = c.messages.filter((m) => m.role === "assistant");
  const lastAnswer = answers[answers.length - 1];
  setAnswerCost(lastAnswer ? lastAnswer.cost_usd : null, lastAnswer ? lastAnswer.cost_source : null);
  setSessionCost(c.cost_usd, c.messages);
  markLastAnswer(() => onRegenerate());
  scrollToEnd();
}

export function drawEmpty() {
  clear(transcript()).append(emptyState());
  drawSessionBar();
  drawParams();
  setAnswerCost(null);
  setSessionCost(null);
}

/** An answer still streaming when the page loaded: re-read it until its state is final. */
function startPolling(conversationId, messageId) {
  const article = () => transcript().querySelector(`article[data-id="${CSS.escape(messageId)}"]`);
  const mark = article();
  if (mark) {
    mark.querySelector(".msg-body").append(h("span", { class: "cursor", "aria-hidden": "true" }));
    mark.querySelector(".msg-body").setAttribute("aria-live", "polite");
  }
  state.poll = setInterval(async () => {
    if (!state.current || state.current.id !== conversationId) return stopPolling();
    let detail;
    try { detail = await api.get(convURL(conversationId)); } catch { return undefined; }
    const msg = detail.messages.find((m) => m.id === messageId);
    const el = article();
    if (!msg || !el) return stopPolling();
    const fresh = replaceMessage(el, msg);
    if (msg.status === "streaming") {
      fresh.querySelector(".msg-body").append(h("span", { class: "cursor", "aria-hidden": "true" }));
    } else {
      stopPolling();
      Object.assign(state.current, { messages: detail.messages, cost_usd: detail.cost_usd, message_count: detail.message_count });
      setSessionCost(detail.cost_usd, detail.messages);
      setAnswerCost(msg.cost_usd, msg.cost_source);
      drawTools(detail.messages);
      markLastAnswer(() => onRegenerate());
      refreshSessions();
    }
    return undefined;
  }, POLL_MS);
}

export function stopPolling() {
  if (state.poll) clearInterval(state.poll);
  state.poll = null;
}

/** Title, model picker and system prompt of the open session; the buttons need a session. */
export function drawSessionBar() {
  const c = state.current;
  $("session-title").textContent = c ? c.title : "NO SESSION";
  for (const id of ["rename", "delete", "export-md", "export-json", "toggle-system"]) $(id).disabled = !c;
  drawModelPicker();
  $("system-text").value = c && c.system_prompt ? c.system_prompt : "";
  if (!c) { $("system-panel").hidden = true; $("toggle-system").setAttribute("aria-expanded", "false"); }
  $("toggle-system").classList.toggle("active", Boolean(c && c.system_prompt));
}

export async function loadModels() {
  try {
    state.models = (await api.get("/api/models")).data || [];
  } catch (err) {
    report(err, "MODEL LIST");
  }
  drawModelPicker();
  updatePreview();
}

/** Creates a session (with the pending model) and opens it. */
export async function newSession(title) {
  const body = { title: title || "New session" };
  if (state.pendingModel) body.model = state.pendingModel;
  let created;
  try {
    created = await api.post("/api/conversations", body);
  } catch (err) {
    report(err, "INITIALIZE SESSION");
    return null;
  }
  state.pendingModel = null;
  created.messages = [];
  state.current = created;
  navigate(created.id);
  clearNotices();
  drawTranscript();
  drawSessionBar();
  await refreshSessions();
  say("info", created.title === "New session" ? "SESSION INITIALIZED" : `SESSION INITIALIZED: ${created.title}`);
  $("input").focus();
  return created;
}
