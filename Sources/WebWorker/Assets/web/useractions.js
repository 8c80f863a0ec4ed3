// What an admin does to an account from the USERS view: add, change the role, disable (after asking) or enable,
// reset the password, set or clear the budgets. Each is one call of /api/admin/users; a refusal shows the
// server's own sentence in the account's status line, nothing is changed on screen until the server agreed.

import { api } from "./api.js";
import { ask } from "./dialog.js";

const userURL = (name) => `/api/admin/users/${encodeURIComponent(name)}`;

/** Shows `text` in a status line: kind ok or err (refusals keep the server's message verbatim). */
function show(line, kind, text) {
  line.className = `card-status ${kind}`;
  line.textContent = text;
}

function refused(line, err) {
  const code = err && err.code ? ` (${err.code})` : "";
  show(line, "err", `!! REFUSED${code}: ${err && err.message ? err.message : String(err)}`);
}

/** PATCHes the account, reloads the view, then says what happened on the account's fresh card. */
async function change(ctx, patch, done) {
  try {
    await api.patch(userURL(ctx.account.name), patch);
  } catch (err) {
    refused(ctx.status, err);
    return false;
  }
  await ctx.reload();
  const card = document.querySelector(`section.account[data-name="${CSS.escape(ctx.account.name)}"] .card-status`);
  if (card) show(card, "ok", `:: ${done}`);
  return true;
}

/** POST /api/admin/users; resolves to whether the account was made. */
export async function addAccount({ name, role, password }, line) {
  const body = { name, role };
  if (password) body.password = password;
  try {
    await api.post("/api/admin/users", body);
  } catch (err) {
    refused(line, err);
    return false;
  }
  show(line, "ok", `:: ACCOUNT ADDED: ${name} (${role}${password ? "" : ", no password: proxy sign-in only"})`);
  return true;
}

export function changeRole(ctx) {
  const role = ctx.account.role === "admin" ? "member" : "admin";
  return change(ctx, { role }, `ROLE SET: ${ctx.account.name} is ${role === "admin" ? "an admin" : "a member"}`);
}

/** Disabling asks first: it ends that person's sessions at once. Enabling does not. */
export async function toggleDisabled(ctx, button) {
  const a = ctx.account;
  if (!a.disabled_at) {
    const ok = await ask({ title: "DISABLE ACCOUNT", text: `Disable ${a.name}? Their open sessions end at once and they cannot log in until enabled again. Their conversations stay.`, ok: "DISABLE", danger: true });
    if (!ok) { button.focus(); return false; }
  }
  return change(ctx, { disabled: !a.disabled_at }, a.disabled_at ? `ENABLED: ${a.name}` : `DISABLED: ${a.name}`);
}

export async function resetPassword(ctx, button) {
  const password = await ask({ title: "RESET PASSWORD", text: `New password for ${ctx.account.name}:`, value: "", ok: "SET PASSWORD", type: "password" });
  if (password === null) { button.focus(); return false; }
  return change(ctx, { password }, `PASSWORD SET for ${ctx.account.name}: their other sessions ended`);
}

/** Empty fields clear a limit (null); anything else goes as a number and the server judges it. */
export function saveBudgets(ctx, daily, monthly) {
  const value = (text) => (String(text).trim() === "" ? null : Number(text));
  const d = value(daily);
  const m = value(monthly);
  const say = (v) => (v === null ? "none" : `$${v}`);
  return change(ctx, { daily_budget_usd: d, monthly_budget_usd: m }, `BUDGETS SET for ${ctx.account.name}: daily ${say(d)}, monthly ${say(m)}`);
}
