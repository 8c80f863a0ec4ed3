// One chat turn in the browser: show the user's message, stream the answer into a StreamView, and end in a
// visible final state whatever happens: complete, stopped (Esc), an upstream error with its hint, a refusal
// before the stream (budget, breaker, 409, 500: the message goes back into the input), or a lost connection.

import { $ } from "./dom.js";
import { api, streamTurn, attachStream } from "./api.js";
import { state } from "./state.js";
import { say, report, describe, hintFor } from "./notices.js";
import { h } from "./dom.js";
import { messageView, metaLine, markLastAnswer, StreamView, transcript, scrollToEnd, keepAtEnd } from "./transcript.js";
import { drawTools, setToolsBusy } from "./msgtools.js";
import { convURL, newSession, refreshSessions, openConversation } from "./session.js";
import { patchSession } from "./actions.js";
import { currentParams } from "./params.js";
import { retryWhenBreakerAllows } from "./breaker.js";
import { setAnswerCost, setSessionCost, flagBudgetWarning, flagRefused, clearRefused, refreshUsage } from "./meter.js";

const STOP_GRACE_MS = 3000;

/** Sends a message in the open session (creating one first when none is open). */
export async function send(text) {
  if (state.stream) { say("warn", "AN ANSWER IS STILL STREAMING", "press Esc to stop it, then send again"); return false; }
  let c = state.current;
  if (!c) {
    c = await newSession(text.replace(/\s+/g, " ").trim().slice(0, 60));
    if (!c) return false;
  } else if (c.messages.length === 0 && c.title === "New session") {
    patchSession({ title: text.replace(/\s+/g, " ").trim().slice(0, 60) }, "AUTO TITLE");
  }
  return runTurn("messages", { content: text, ...currentParams() }, text);
}

/**
 * Sends `text` in place of the earlier user message `messageId` (EDIT): a new branch beside it, whose answer
 * streams where the old path below it was. The old branch stays reachable through ‹ ›. When the server refuses
 * before storing anything, the old path is drawn again and `onRefused(article)` gets the edited message's article.
 */
export async function editMessage(messageId, text, { onRefused } = {}) {
  if (state.stream) { say("warn", "AN ANSWER IS STILL STREAMING", "press Esc to stop it, then send again"); return false; }
  const c = state.current;
  const old = c && c.messages.find((m) => m.id === messageId);
  if (!old) { say("warn", "THAT MESSAGE IS NOT ON THIS SESSION'S PATH ANY MORE", "open the session again"); return false; }
  // The new message takes the next place among the old one's alternatives (msgtools.js shows ‹ n/n ›).
  const pending = { sibling_ids: [...(old.sibling_ids || [old.id]), ""] };
  return runTurn("messages", { content: text, edit_of: messageId, ...currentParams() }, text, { replaceFrom: messageId, pending, onRefused });
}

/** Regenerates the last answer of the open session. */
export async function regenerate() {
  if (state.stream) { say("warn", "AN ANSWER IS STILL STREAMING", "press Esc to stop it first"); return false; }
  if (!state.current) { say("warn", "NO SESSION", "open a session first"); return false; }
  return runTurn("regenerate", currentParams(), undefined);
}

/** Esc: asks the server to stop the answer (which aborts the upstream transfer, stopping billing). */
export async function stopStreaming() {
  const s = state.stream;
  if (!s || s.stopRequested) return;
  s.stopRequested = true;
  say("info", "STOP REQUESTED");
  try {
    await api.post(`${convURL(s.conversationId)}/stop`);
  } catch {
    s.controller.abort(); // the server is unreachable: closing the stream is the other way to stop it
  }
  // The stream should end with done: stopped; if it does not, close it ourselves.
  setTimeout(() => { if (state.stream === s) s.controller.abort(); }, STOP_GRACE_MS);
}

function setStreaming(on) {
  $("stop").hidden = !on;
  $("transmit").disabled = on;
  document.body.classList.toggle("is-streaming", on);
  setToolsBusy(on);
}

/** The articles a turn replaces on screen: the last answer (regenerate), or an edited message and all below it. */
function articlesReplaced(t, kind, replaceFrom) {
  if (replaceFrom) {
    const first = t.querySelector(`article[data-id="${CSS.escape(replaceFrom)}"]`);
    const out = [];
    for (let n = first; n; n = n.nextElementSibling) out.push(n);
    return out;
  }
  if (kind !== "regenerate") return [];
  const answers = t.querySelectorAll("article.msg-assistant");
  return answers.length ? [answers[answers.length - 1]] : [];
}

async function runTurn(kind, body, userText, { replaceFrom = null, pending = {}, onRefused = null } = {}) {
  const c = state.current;
  const t = transcript();
  t.querySelectorAll(".empty, article.help, .msg-meta .regen").forEach((e) => e.remove());
  const replaced = articlesReplaced(t, kind, replaceFrom);
  replaced.forEach((a) => a.remove());
  const userArticle = userText === undefined ? null
    : messageView({ role: "user", content: userText, created_at: new Date().toISOString(), id: "", ...pending });
  if (userArticle) t.append(userArticle);
  const view = new StreamView(c.model);
  t.append(view.article);
  scrollToEnd();
  const s = { view, controller: new AbortController(), conversationId: c.id, stopRequested: false };
  state.stream = s;
  document.body.dataset.turn = "busy"; // until the stored figures are in (tests wait for it to go)
  setStreaming(true);
  let final = null;
  try {
    await streamTurn(`${convURL(c.id)}/${kind}`, body, answerEvents(view, userArticle, (status) => { final = status; }), s.controller.signal);
    clearRefused();
    if (!final) {
      view.error("stream_lost", "the stream ended before the answer's final state arrived");
      view.finish("interrupted");
    }
  } catch (err) {
    if (err && err.name === "AbortError") {
      view.finish("stopped");
      say("warn", "ANSWER STOPPED: the stream was closed by this page", "the server keeps the text received so far");
    } else if (err.kind === "http" || err.code === "network") {
      // Refused (or never reached the server): nothing was stored. Undo the display, give the text back.
      view.article.remove();
      if (userArticle) userArticle.remove();
      t.append(...replaced);
      if (replaceFrom) {
        if (onRefused) onRefused(replaced[0]); // the edit goes back into its own field, not the input
      } else if (userText !== undefined && $("input").value.trim() === "") $("input").value = userText;
      if (err.code === "budget_exceeded") flagRefused();
      const notice = refusalNotice(err, userText !== undefined ? "NOT SENT" : "NOT REGENERATED");
      t.append(notice);
      // An edit is not sent again by itself: its text is in its field, where it may be changed meanwhile.
      if (err.code === "circuit_open" && !replaceFrom) retryWhenBreakerAllows(notice, err, c.id, userText, () => (userText === undefined ? regenerate() : send(userText)));
      scrollToEnd();
    } else {
      view.error(err.code, err.message);
      view.finish("interrupted");
      report(err, "ANSWER");
    }
  } finally {
    if (state.stream === s) state.stream = null;
    setStreaming(false);
  }
  try {
    await afterTurn(c.id, view);
  } finally {
    delete document.body.dataset.turn;
  }
  return final === "complete";
}

/** What each event of an answer's stream does to its view (a turn this page started, or one it attached to). */
function answerEvents(view, userArticle, onFinal) {
  return (name, data) => {
    if (name === "meta") {
      view.setMeta(data);
      if (userArticle && data.user_message_id) userArticle.dataset.id = data.user_message_id;
      markTrimmed(data.trimmed_message_ids || [], data.context_length);
    } else if (name === "snapshot") {
      if (data.reasoning) view.reasoning(data.reasoning);
      if (data.content) view.append(data.content);
    } else if (name === "delta") view.append(data.text || "");
    else if (name === "reasoning") view.reasoning(data.text || "");
    else if (name === "usage") {
      view.setUsage(data);
      setAnswerCost(data.cost_usd, data.cost_source);
      if (data.budget_warning) flagBudgetWarning();
    } else if (name === "error") {
      view.error(data.code, data.message);
      say("err", `ANSWER FAILED (${data.code}): ${data.message}`);
    } else if (name === "notice") {
      if (data.kind === "stopped") view.error("stopped", data.message);
      else say("warn", `SERVER: ${data.message}`);
    } else if (name === "done") {
      onFinal(data.status);
      view.finish(data.status);
    }
  };
}

/** Marks the messages the server left out of the prompt to fit the model's context window, and says so. */
function markTrimmed(ids, contextLength) {
  if (ids.length === 0) return;
  for (const id of ids) {
    const article = transcript().querySelector(`article[data-id="${CSS.escape(id)}"]`);
    if (!article || article.classList.contains("trimmed")) continue;
    article.classList.add("trimmed");
    article.querySelector(".msg-head").append(h("span", { class: "state trimmed-label", text: "NOT SENT: BEYOND THE CONTEXT WINDOW" }));
  }
  const room = contextLength ? ` (${contextLength.toLocaleString("en-US")} tokens)` : "";
  say("warn", `${ids.length} OLDER MESSAGE${ids.length === 1 ? "" : "S"} LEFT OUT: the model's context window${room} holds only the newest`,
    "they are kept here and in exports; start a new session or shorten the history to send them again");
}

/**
 * Follows an answer that is already streaming (started in another tab, or before this page was reloaded): the
 * text so far, then live to its end, with STOP and Esc working as for one's own. When the answer is no longer
 * live here (it just ended, or another server process runs it), the stored text is re-read until it is final.
 */
export async function attachTurn(conversationId, stored) {
  if (state.stream) return;
  const t = transcript();
  const old = t.querySelector(`article[data-id="${CSS.escape(stored.id)}"]`);
  const view = new StreamView(stored.model);
  view.article.dataset.id = stored.id;
  if (old) old.replaceWith(view.article); else t.append(view.article);
  const s = { view, controller: new AbortController(), conversationId, stopRequested: false };
  state.stream = s;
  setStreaming(true);
  let final = null;
  try {
    await attachStream(`${convURL(conversationId)}/stream`, answerEvents(view, null, (status) => { final = status; }), s.controller.signal);
  } catch (err) {
    if (!(err && err.name === "AbortError") && err.code !== "not_streaming") report(err, "ANSWER");
  } finally {
    if (state.stream === s) state.stream = null;
    setStreaming(false);
  }
  if (state.current && state.current.id === conversationId) {
    if (final) await afterTurn(conversationId, view); else await openConversation(conversationId, { poll: true });
  }
}

/** A refused or unsent turn, shown where the answer would have been (not stored; gone on reload). */
function refusalNotice(err, what) {
  return h("article", { class: "msg msg-system notice", dataset: { role: "notice" } },
    h("header", { class: "msg-head" }, h("span", { class: "role", text: "SYSTEM" }), h("span", { class: "state error", text: what })),
    h("p", { class: "err-line", role: "alert" }, `!! ${describe(err)}`,
      h("span", { class: "hint", text: `→ ${hintFor(err.code, err.status)}` })));
}

/** After a turn: the stored figures (TTFT, duration, cost), the list, today's spend, the regenerate action. */
async function afterTurn(conversationId, view) {
  refreshUsage();
  await refreshSessions();
  if (!state.current || state.current.id !== conversationId) return;
  let detail;
  try {
    detail = await api.get(convURL(conversationId));
  } catch {
    return; // the console already says why; the streamed text stays on screen
  }
  const stillShown = view.article.isConnected;
  // Only what the turn changed: a rename or model change made meanwhile must not be undone by this snapshot.
  Object.assign(state.current, { messages: detail.messages, cost_usd: detail.cost_usd, message_count: detail.message_count });
  setSessionCost(detail.cost_usd, detail.messages);
  const stored = detail.messages.find((m) => m.id === view.article.dataset.id);
  if (stored && stillShown) {
    view.meta.replaceChildren(...metaLine(stored).childNodes);
    setAnswerCost(stored.cost_usd, stored.cost_source);
    if (stored.cost_source === "estimated") recheckEstimate(conversationId, stored.id);
    view.article.dataset.status = stored.status;
    if (stored.status === "streaming") openConversation(conversationId); // lost the stream, server still going: poll
  } else if (!stillShown && view.article.dataset.id) {
    await openConversation(conversationId);
  }
  drawTools(detail.messages);
  markLastAnswer(() => regenerate());
  keepAtEnd();
}

/** Pauses before each re-read of an answer whose cost is still estimated: OpenRouter's figure replaces the
 * estimate within seconds to minutes (a reload shows it too). */
const ESTIMATE_RECHECK_MS = [5_000, 15_000, 45_000];

/** Re-reads an estimated answer a few times and, once its cost is final, redraws its figures and the meter. */
function recheckEstimate(conversationId, messageId, attempt = 0) {
  if (attempt >= ESTIMATE_RECHECK_MS.length) return;
  setTimeout(async () => {
    if (!state.current || state.current.id !== conversationId || state.stream) return;
    let detail;
    try { detail = await api.get(convURL(conversationId)); } catch { return; }
    const msg = detail.messages.find((m) => m.id === messageId);
    if (!msg || !state.current || state.current.id !== conversationId) return;
    if (msg.cost_source === "estimated") { recheckEstimate(conversationId, messageId, attempt + 1); return; }
    const meta = transcript().querySelector(`article[data-id="${CSS.escape(messageId)}"] .msg-meta`);
    if (meta) meta.replaceChildren(...metaLine(msg).childNodes);
    Object.assign(state.current, { messages: detail.messages, cost_usd: detail.cost_usd });
    setSessionCost(detail.cost_usd, detail.messages);
    const answers = detail.messages.filter((m) => m.role === "assistant");
    if (answers[answers.length - 1] === msg) setAnswerCost(msg.cost_usd, msg.cost_source);
    markLastAnswer(() => regenerate());
    refreshUsage();
    refreshSessions();
  }, ESTIMATE_RECHECK_MS[attempt]);
}

// session.js finds an answer still streaming when it draws a conversation; follow it live.
window.addEventListener("nt:streaming-answer", (e) => attachTurn(e.detail.conversationId, e.detail.message));
