// What the message controls do (msgtools.js builds them). A conversation is a tree: EDIT sends a changed user
// message as a new branch beside the old one; ‹ › show another alternative of a message (PUT …/leaf, then the
// path through it is drawn); COPY puts a message's raw text on the clipboard; DELETE removes a message and every
// reply below it, after asking. While an answer streams, all but COPY wait (the server would refuse: 409).

import { h } from "./dom.js";
import { api } from "./api.js";
import { state } from "./state.js";
import { say, report } from "./notices.js";
import { ask } from "./dialog.js";
import { copyFromButton } from "./clipboard.js";
import { position } from "./msgtools.js";
import { transcript } from "./transcript.js";
import { convURL, drawTranscript, openConversation, refreshSessions } from "./session.js";
import { editMessage } from "./chat.js";

/** The stored message an article shows (from the open conversation's path), or null. */
function messageOf(article) {
  const id = article && article.dataset.id;
  if (!id || !state.current) return null;
  return state.current.messages.find((m) => m.id === id) || null;
}

/** Installs the one listener for every message's controls. */
export function wireMessageTools(container) {
  container.addEventListener("click", (e) => {
    const button = e.target.closest(".msg-tools button.tool");
    if (!button || button.disabled) return;
    const article = button.closest("article.msg");
    const m = messageOf(article);
    if (!m) { say("warn", "THIS MESSAGE IS NOT STORED YET", "wait for the answer to end"); return; }
    const action = button.dataset.action;
    if (action === "copy") copyFromButton(button, m.content || "", article.querySelector(".msg-body"))
      .then((ok) => say(ok ? "info" : "warn", ok ? `COPIED the ${m.role === "user" ? "message" : "answer"} (${(m.content || "").length} characters)` : "COPY: the clipboard is not available here", ok ? undefined : "the text is selected below the message: press Ctrl+C"));
    else if (action === "edit") openEditor(article, m.content || "");
    else if (action === "prev" || action === "next") showAlternative(m, action === "prev" ? -1 : 1);
    else if (action === "delete") deleteMessage(m, button);
  });
}

/**
 * Turns a user message into an editable field: SEND (Ctrl/Cmd+Enter) sends it as a new branch beside the old
 * one, whose answer streams in place of the old path below it; CANCEL (Esc) puts the message back.
 */
export function openEditor(article, text) {
  if (article.querySelector(".msg-edit")) { article.querySelector(".msg-edit textarea").focus(); return; }
  const body = article.querySelector(".msg-body");
  const id = `edit-${article.dataset.id}`;
  const field = h("textarea", { id, rows: String(Math.min(14, Math.max(3, text.split("\n").length + 1))), spellcheck: "false" });
  field.value = text;
  const cancel = () => {
    form.remove();
    body.hidden = false;
    const edit = article.querySelector(".tool-edit");
    if (edit) edit.focus();
  };
  const form = h("form", { class: "msg-edit" },
    h("label", { class: "label", for: id, text: "EDIT MESSAGE: sent as a new branch, the old one stays (Ctrl+Enter sends, Esc cancels)" }),
    field,
    h("div", { class: "row" },
      h("button", { class: "btn primary small", type: "submit", text: "SEND" }),
      h("button", { class: "btn small", type: "button", text: "CANCEL", onclick: cancel })));
  const submit = () => {
    const edited = field.value;
    if (edited.trim() === "") { say("warn", "AN EDITED MESSAGE CANNOT BE EMPTY", "type the new text, or CANCEL"); return; }
    if (state.stream) { say("warn", "AN ANSWER IS STILL STREAMING", "press Esc to stop it, then send the edit"); return; }
    editMessage(article.dataset.id, edited, {
      // Refused before anything was stored: the old path is back; so is the edit, to try again.
      onRefused: (restored) => { if (restored && restored.isConnected) openEditor(restored, edited); },
    });
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); submit(); });
  field.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.isComposing) { e.preventDefault(); submit(); }
    else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); cancel(); }
  });
  body.hidden = true;
  body.after(form);
  field.focus();
  field.setSelectionRange(field.value.length, field.value.length);
}

let switching = false;

/** ‹ / ›: makes the previous or next alternative of `m` part of the visible path and draws that path. */
async function showAlternative(m, step) {
  const { index, count } = position(m);
  const target = m.sibling_ids[index + step];
  if (!target || switching || state.stream || count < 2) return;
  const c = state.current;
  switching = true;
  let detail;
  try {
    detail = await api.put(`${convURL(c.id)}/leaf`, { message_id: target });
  } catch (err) {
    report(err, "SWITCH BRANCH");
    return;
  } finally {
    switching = false;
  }
  if (!state.current || state.current.id !== c.id) return;
  state.current = detail;
  drawTranscript();
  // Keep the reader where they were: on the message they switched, its same control focused.
  const article = transcript().querySelector(`article[data-id="${CSS.escape(target)}"]`);
  if (!article) return;
  article.scrollIntoView({ block: "nearest" });
  const same = article.querySelector(`.tool-${step < 0 ? "prev" : "next"}`);
  const other = article.querySelector(`.tool-${step < 0 ? "next" : "prev"}`);
  (same && !same.disabled ? same : other || article).focus();
}

/** DELETE: asks (saying how many replies go with it), deletes the message and its subtree, redraws the path. */
async function deleteMessage(m, button) {
  const c = state.current;
  const at = c.messages.findIndex((x) => x.id === m.id);
  const below = c.messages.slice(at + 1);
  const branches = below.some((x) => (x.sibling_ids || []).length > 1);
  const replies = below.length === 0 ? "It has no replies below it."
    : `The ${below.length} repl${below.length === 1 ? "y" : "ies"} below it on this path${branches ? ", and the other branches under it," : ""} will be deleted too.`;
  const ok = await ask({
    title: "DELETE MESSAGE",
    text: `Delete this ${m.role === "user" ? "message" : "answer"}? ${replies} ${(m.sibling_ids || []).length > 1 ? "Its alternatives stay. " : ""}This cannot be undone (spend already recorded stays spent).`,
    ok: "DELETE", danger: true,
  });
  if (!ok) { if (button.isConnected) button.focus(); return; }
  try {
    await api.del(`${convURL(c.id)}/messages/${encodeURIComponent(m.id)}`);
  } catch (err) {
    report(err, "DELETE MESSAGE");
    return;
  }
  say("info", below.length ? `MESSAGE DELETED with the ${below.length} below it` : "MESSAGE DELETED");
  await openConversation(c.id);
  await refreshSessions();
  transcript().focus();
}
