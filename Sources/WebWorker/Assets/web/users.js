// USERS (admins only): every account with its role, status, password, budgets and spend today/this month
// (GET /api/admin/users and GET /api/usage?scope=appliance `by_user`), and the form that adds one. What each
// card's buttons do is in useractions.js. A member who opens #/users sees the server's 403 sentence.

import { $, h, clear } from "./dom.js";
import { api } from "./api.js";
import { state } from "./state.js";
import { usd, stamp } from "./format.js";
import { describe } from "./notices.js";
import { kv } from "./diagnostics.js";
import { addAccount, changeRole, toggleDisabled, resetPassword, saveBudgets } from "./useractions.js";

/** Loads the accounts and everyone's spend, and draws the view; a refusal shows the server's sentence. */
export async function loadUsers() {
  const list = $("users-list");
  let users;
  let spend = null;
  try {
    [users, spend] = await Promise.all([
      api.get("/api/admin/users"),
      api.get("/api/usage?scope=appliance").catch(() => null),
    ]);
  } catch (err) {
    $("user-add").hidden = true;
    $("users-total").textContent = "";
    clear(list).append(h("p", { class: "err-line", role: "alert", id: "users-refused" }, `!! ${describe(err)}`,
      h("span", { class: "hint", text: err.status === 403 ? "→ ask an admin to add, change or disable accounts." : "→ try REFRESH in a moment." })));
    return;
  }
  $("user-add").hidden = false;
  const byUser = new Map(((spend && spend.by_user) || []).map((u) => [u.user, u]));
  clear(list).append(...(users.users || []).map((a) => accountCard(a, byUser.get(a.name))));
  $("users-total").textContent = applianceLine(spend, (users.users || []).length);
}

function applianceLine(spend, count) {
  const n = `${count} account${count === 1 ? "" : "s"}`;
  if (!spend || !spend.today) return n;
  const limit = (b) => (b && b.budget_usd != null ? ` of ${usd(b.budget_usd)}` : "");
  return `${n} · everyone today ${usd(spend.today.spend_usd)}${limit(spend.today)} · this month ${usd(spend.month && spend.month.spend_usd)}${limit(spend.month)}`;
}

const budgetText = (v) => (v === null || v === undefined ? "none" : usd(v));

/** One account: its figures, its buttons, its budget form and a status line for what happened to it. */
function accountCard(a, spent) {
  const owner = a.id === "owner";
  const mine = state.me && state.me.name === a.name;
  const disabled = Boolean(a.disabled_at);
  const status = h("p", { class: "card-status", role: "status", "aria-live": "polite" });
  const ctx = { account: a, status, reload: loadUsers };
  const title = h("h2", { class: "account-name" }, h("span", { text: a.name }),
    h("span", { class: "badge", text: a.role.toUpperCase() }),
    disabled ? h("span", { class: "badge err", text: "DISABLED" }) : null,
    owner ? h("span", { class: "badge muted", text: "APPLIANCE'S OWN" }) : null,
    mine ? h("span", { class: "badge muted", text: "YOU" }) : null);
  const figures = kv([
    ["role", a.role],
    ["status", disabled ? `disabled since ${stamp(a.disabled_at)}` : "active", disabled ? "err" : "ok"],
    ["password", a.has_password ? "set" : "none (proxy sign-in only)", a.has_password ? "" : "warn"],
    ["daily budget", budgetText(a.daily_budget_usd)],
    ["monthly budget", budgetText(a.monthly_budget_usd)],
    ["spent today", spent ? usd(spent.today_usd) : "$0.00"],
    ["spent this month", spent ? usd(spent.month_usd) : "$0.00"],
  ]);
  const buttons = h("div", { class: "row account-actions", role: "group", "aria-label": `Change ${a.name}` },
    h("button", { class: "btn", type: "button", dataset: { act: "role" }, text: a.role === "admin" ? "MAKE MEMBER" : "MAKE ADMIN",
      "aria-label": `${a.role === "admin" ? "Make member" : "Make admin"}: ${a.name}`, onclick: () => changeRole(ctx) }),
    h("button", { class: disabled ? "btn" : "btn danger", type: "button", dataset: { act: "disable" }, text: disabled ? "ENABLE" : "DISABLE",
      "aria-label": `${disabled ? "Enable" : "Disable"} ${a.name}`, onclick: (e) => toggleDisabled(ctx, e.currentTarget) }),
    h("button", { class: "btn", type: "button", dataset: { act: "password" }, text: "RESET PASSWORD",
      "aria-label": `Reset the password of ${a.name}`, onclick: (e) => resetPassword(ctx, e.currentTarget) }));
  return h("section", { class: "card account", "aria-label": `Account ${a.name}`, dataset: { name: a.name } },
    title, figures, buttons, budgetForm(a, ctx), status);
}

/** Daily and monthly limit in USD; an empty field is no limit. */
function budgetForm(a, ctx) {
  const field = (key, label, value) => {
    const id = `budget-${key}-${a.id}`;
    return h("span", { class: "budget-field" }, h("label", { class: "label", for: id, text: label }),
      h("input", { id, name: key, type: "number", min: "0", max: "1000000", step: "any", inputmode: "decimal",
        placeholder: "no limit", value: value === null || value === undefined ? "" : String(value) }));
  };
  const form = h("form", { class: "budgets", "aria-label": `Budgets of ${a.name}` },
    field("daily", "DAILY $", a.daily_budget_usd), field("monthly", "MONTHLY $", a.monthly_budget_usd),
    h("button", { class: "btn", type: "submit", text: "SAVE BUDGETS", "aria-label": `Save the budgets of ${a.name}` }),
    h("span", { class: "muted hint-inline", text: "empty = no limit of their own" }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return; // not a number, or below 0: the browser says which field
    saveBudgets(ctx, form.elements.daily.value, form.elements.monthly.value);
  });
  return form;
}

/** The add form (static in index.html): wired once. */
export function wireUsers() {
  $("users-refresh").addEventListener("click", loadUsers);
  $("user-add").addEventListener("submit", async (e) => {
    e.preventDefault();
    const name = $("new-user-name").value.trim();
    if (!name) { $("new-user-name").focus(); return; }
    const done = await addAccount({ name, role: $("new-user-role").value, password: $("new-user-password").value }, $("user-add-status"));
    if (done) {
      $("user-add").reset();
      await loadUsers();
    }
  });
}
