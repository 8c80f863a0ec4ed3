// The session bar's actions (also reached through slash commands): model, system prompt, rename, delete with
// confirmation, export. Each PATCHes/DELETEs the open session and redraws what changed.

import { $ } from "./dom.js";
import { api } from "./api.js";
import { state } from "./state.js";
import { say, report } from "./notices.js";
import { ask } from "./dialog.js";
import { exportConversation } from "./export.js";
import { convURL, refreshSessions, navigate, drawEmpty, drawSessionBar, drawModelPicker, drawTranscript } from "./session.js";

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
  const ok = await ask({ title: "DELETE SESSION", text: `Delete "${c.title}" and its ${c.message_count ?? c.messages.length} messages (every branch)? This cannot be undone.`, ok: "DELETE", danger: true });
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
