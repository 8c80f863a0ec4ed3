// The open session: loading and drawing it, the session bar (title, model, system prompt, rename, delete,
// export), and the session list. An answer that was still streaming when the page loaded (a reload mid-answer)
// is polled until it reaches its final state, so the page shows how far it got and how it ended.

import { $, h, clear } from "./dom.js";
import { api } from "./api.js";
import { state } from "./state.js";
import { perMillion } from "./format.js";
import { say, report, clearNotices } from "./notices.js";
import { messageView, replaceMessage, markLastAnswer, emptyState, transcript, scrollToEnd } from "./transcript.js";
import { renderSessions } from "./sidebar.js";
import { setAnswerCost, setSessionCost } from "./meter.js";
import { ask } from "./dialog.js";
import { exportConversation } from "./export.js";

const POLL_MS = 500;
let onRegenerate = () => {};

/** chat.js registers its regenerate action here (avoids a circular import). */
export function setRegenerateAction(fn) { onRegenerate = fn; }

export const convURL = (id) => `/api/conversations/${encodeURIComponent(id)}`;

/** Reloads the session list. */
export async function refreshSessions() {
  try {
    const page = await api.get("/api/conversations?limit=200");
    state.conversations = page.conversations;
    state.total = page.total;
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
export async function openConversation(id) {
  stopPolling();
  const focusMessage = state.focusMessage;
  state.focusMessage = null;
  let detail;
  try {
    detail = await api.get(convURL(id));
  } catch (err) {
    report(err, "OPEN SESSION");
    if (err.status === 404) { state.current = null; drawEmpty(); navigate(null); }
    return false;
  }
  if (!state.current || state.current.id !== id) clearNotices();
  state.current = detail;
  drawTranscript();
  drawSessionBar();
  renderSessions(state.conversations, state.total, id, (cid) => navigate(cid));
  if (focusMessage) {
    const el = transcript().querySelector(`article[data-id="${CSS.escape(focusMessage)}"]`);
    if (el) { el.scrollIntoView({ block: "center" }); el.classList.add("hit"); }
  }
  return true;
}

/** Draws the whole transcript of the open conversation (only on open; streaming touches one message). */
function drawTranscript() {
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
  if (!live && last && last.role === "assistant" && last.status === "streaming") startPolling(c.id, last.id);
  const answers = c.messages.filter((m) => m.role === "assistant");
  setAnswerCost(answers.length ? answers[answers.length - 1].cost_usd : null);
  setSessionCost(c.cost_usd);
  markLastAnswer(() => onRegenerate());
  scrollToEnd();
}

export function drawEmpty() {
  clear(transcript()).append(emptyState());
  drawSessionBar();
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
      setSessionCost(detail.cost_usd);
      setAnswerCost(msg.cost_usd);
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

/** The model picker: server default, then every catalog model with its prices per million tokens. */
export function drawModelPicker() {
  const select = clear($("model"));
  const chosen = state.current ? state.current.model : state.pendingModel;
  select.append(h("option", { value: "", text: "SERVER DEFAULT" }));
  const ids = new Set();
  for (const m of state.models) {
    ids.add(m.id);
    select.append(h("option", { value: m.id, text: `${m.id} · in ${perMillion(m.prompt_price_per_million)} / out ${perMillion(m.completion_price_per_million)} per 1M` }));
  }
  if (chosen && !ids.has(chosen)) select.append(h("option", { value: chosen, text: `${chosen} (not in catalog)` }));
  select.value = chosen || "";
}

export async function loadModels() {
  try {
    state.models = (await api.get("/api/models")).data || [];
  } catch (err) {
    report(err, "MODEL LIST");
  }
  drawModelPicker();
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

/** PATCHes the open session and redraws the bar; returns the updated conversation or null. */
export async function patchSession(patch, what) {
  const c = state.current;
  if (!c) { say("warn", `NO SESSION: ${what} needs an open session`, "press INITIALIZE SESSION or type /new"); return null; }
  try {
    const updated = await api.patch(convURL(c.id), patch);
    Object.assign(c, updated);
    if (state.current && state.current.id === c.id && state.current !== c) Object.assign(state.current, updated);
  } catch (err) {
    report(err, what);
    return null;
  }
  drawSessionBar();
  refreshSessions();
  return c;
}

export async function setModel(id) {
  const model = id || null;
  if (model && state.models.length && !state.models.some((m) => m.id === model)) {
    say("err", `UNKNOWN MODEL ${model}`, "pick an id from the MODEL list (the upstream's catalog)");
    drawModelPicker();
    return;
  }
  if (!state.current) { state.pendingModel = model; drawModelPicker(); say("info", `MODEL for the next session: ${model || "server default"}`); return; }
  if (await patchSession({ model }, "SET MODEL")) say("info", `MODEL SET: ${model || "server default"}`);
}

export async function setSystem(text) {
  const value = text && text.trim() ? text : null;
  if (await patchSession({ system_prompt: value }, "SYSTEM PROMPT")) {
    say("info", value ? "SYSTEM PROMPT SET for this session" : "SYSTEM PROMPT CLEARED");
    drawTranscript();
  }
}

export async function rename(title) {
  const value = title === undefined
    ? await ask({ title: "RENAME SESSION", text: "New title:", value: state.current ? state.current.title : "", ok: "RENAME" })
    : title;
  if (value === null || !value.trim()) return;
  if (await patchSession({ title: value.trim() }, "RENAME")) say("info", `SESSION RENAMED: ${value.trim()}`);
}

export async function deleteSession() {
  const c = state.current;
  if (!c) return;
  const ok = await ask({ title: "DELETE SESSION", text: `Delete "${c.title}" and its ${c.messages.length} messages? This cannot be undone.`, ok: "DELETE", danger: true });
  if (!ok) { $("delete").focus(); return; }
  try {
    await api.del(convURL(c.id));
  } catch (err) {
    report(err, "DELETE");
    return;
  }
  state.current = null;
  navigate(null);
  drawEmpty();
  await refreshSessions();
  say("info", `SESSION DELETED: ${c.title}`);
}

export async function exportAs(format) {
  const c = state.current;
  if (!c) { say("warn", "NO SESSION TO EXPORT", "open a session first"); return; }
  try {
    const name = await exportConversation(c.id, format);
    say("info", `EXPORTED ${format.toUpperCase()}: ${name}`);
  } catch (err) {
    report(err, "EXPORT");
  }
}
