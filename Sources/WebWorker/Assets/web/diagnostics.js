// SYSTEM DIAGNOSTICS: GET /api/diagnostics (status, version, checks, workers, supervisor, breaker, backup) and
// a 30-day chart of the person's own spend drawn here as SVG from GET /api/usage; for an admin also everyone's
// totals (GET /api/usage?scope=appliance). Parts the server does not report show n/a.

import { $, h, svg, clear } from "./dom.js";
import { api, optional } from "./api.js";
import { usd, uptime, bytes, stamp } from "./format.js";
import { describe, hintFor } from "./notices.js";
import { isAdmin } from "./account.js";

/** A definition list of [term, value, class] rows (also the USERS view's cards). */
export const kv = (pairs) => h("dl", { class: "kv" }, pairs.flatMap(([k, v, cls]) => [h("dt", { text: k }), h("dd", { class: cls || "", text: v })]));
const card = (title, ...content) => h("section", { class: "card", "aria-label": title }, h("h2", { class: "label", text: title }), ...content);
const checkClass = (v) => (v === "ok" ? "ok" : /^(low|no api key|circuit)/.test(v) ? "warn" : "err");

/** Loads and draws the whole view; errors become a red line in place of the figures. */
export async function loadDiagnostics() {
  const body = $("diag-body");
  let diag;
  let usageAnswer;
  let everyone = null;
  try {
    [diag, usageAnswer, everyone] = await Promise.all([api.get("/api/diagnostics"), optional("/api/usage").catch(() => null),
      isAdmin() ? optional("/api/usage?scope=appliance").catch(() => null) : null]);
  } catch (err) {
    clear(body).append(h("p", { class: "err-line", role: "alert" }, `!! DIAGNOSTICS UNAVAILABLE: ${describe(err)}`,
      h("span", { class: "hint", text: `→ ${hintFor(err.code, err.status)}` })));
    return;
  }
  const v = diag.version || {};
  const statusCard = card("OVERALL STATUS",
    h("p", { class: `big-status ${diag.status === "ok" ? "ok" : "warn"}`, id: "diag-status", text: String(diag.status).toUpperCase() }),
    kv([["version", `${v.version ?? "n/a"}`], ["commit", v.commit ?? "n/a"], ["built", v.build_date ?? "n/a"], ["sqlite", v.sqlite ?? "n/a"]]));
  const checks = diag.checks || {};
  const checksCard = card("CHECKS", kv(["database", "upstream", "disk"].map((k) => [k, checks[k] ?? "n/a", checkClass(checks[k] ?? "n/a")])));
  const sup = diag.supervisor || {};
  const supCard = card("SUPERVISOR", kv([["state", sup.state ?? "n/a", sup.state === "running" ? "ok" : "warn"], ["pid", sup.pid ?? "n/a"], ["uptime", uptime(sup.uptime_seconds)]]));
  const cb = diag.circuit_breaker || (usageAnswer && usageAnswer.circuit_breaker) || null;
  const breakerCard = card("CIRCUIT BREAKER", cb
    ? kv([["state", String(cb.state).toUpperCase(), cb.state === "closed" ? "ok" : "warn"], ["retry at", cb.retry_at ? stamp(cb.retry_at) : "—"],
      ...(cb.models || []).map((m) => [m.model, `${String(m.state).toUpperCase()}${m.retry_at ? ` until ${stamp(m.retry_at)}` : ""} · ${m.consecutive_failures} failed`, m.state === "closed" ? "ok" : "warn"])])
    : kv([["state", "n/a"]]));
  const lb = diag.last_backup;
  const backupCard = card("LAST BACKUP", lb
    ? kv(Object.entries(lb).map(([k, val]) => [k.replace(/_/g, " "), typeof val === "number" && /bytes/.test(k) ? bytes(val) : String(val)]))
    : kv([["last", "n/a (none recorded)"]]));
  clear(body).append(statusCard, checksCard, supCard, breakerCard, backupCard, workersCard(diag.workers || []), spendCard(usageAnswer));
  if (everyone && everyone.today) body.append(applianceCard(everyone));
}

function workersCard(workers) {
  const head = h("tr", {}, ["ROLE", "PID", "STATE", "UPTIME", "RESTARTS", "MEMORY"].map((t) => h("th", { scope: "col", text: t })));
  const rows = workers.map((w) => h("tr", { dataset: { role: w.role } },
    h("td", { text: String(w.role).toUpperCase() }),
    h("td", { class: "pid", text: w.pid ?? "—" }),
    h("td", { class: w.up && w.ready ? "ok" : "warn", text: w.up ? (w.ready ? "READY" : "STARTING") : "DOWN" }),
    h("td", { text: uptime(w.uptime_seconds) }),
    h("td", { class: w.restarts > 0 ? "warn" : "", text: String(w.restarts) }),
    h("td", { text: bytes(w.rss_bytes) })));
  const content = workers.length ? h("div", { class: "scroll-x" }, h("table", { class: "grid-table", id: "workers-table" }, h("thead", {}, head), h("tbody", {}, rows)))
    : h("p", { class: "warn", text: "n/a: the supervisor did not answer" });
  const c = card("WORKERS", content);
  c.classList.add("full");
  return c;
}

function spendCard(u) {
  let content;
  if (!u || !Array.isArray(u.by_day)) {
    content = h("p", { class: "muted", id: "spend-na", text: "n/a: this server has no usage API yet (GET /api/usage)." });
  } else {
    const total = u.by_day.reduce((s, d) => s + Number(d.spend_usd || 0), 0);
    content = h("div", {},
      kv([["30 days", usd(total)], ["today", usd(u.today && u.today.spend_usd)], ["your daily limit", u.today && u.today.budget_usd != null ? usd(u.today.budget_usd) : "none"],
        ["this month", usd(u.month && u.month.spend_usd)], ["your monthly limit", u.month && u.month.budget_usd != null ? usd(u.month.budget_usd) : "none"]]),
      chart(u.by_day, u.today && u.today.budget_usd));
  }
  const c = card("YOUR SPEND PER DAY · LAST 30 DAYS", content);
  c.classList.add("full");
  return c;
}

/** Admins: the whole appliance's spend against [budget], and each account's today and this month. */
function applianceCard(u) {
  const limit = (b) => (b && b.budget_usd != null ? ` of ${usd(b.budget_usd)}` : " (no appliance budget)");
  return card("EVERYONE · APPLIANCE TOTALS", kv([
    ["today", `${usd(u.today.spend_usd)}${limit(u.today)}`, u.today.warn ? "warn" : ""],
    ["this month", `${usd(u.month && u.month.spend_usd)}${limit(u.month)}`, u.month && u.month.warn ? "warn" : ""],
    ...(u.by_user || []).map((p) => [p.user, `${usd(p.today_usd)} today · ${usd(p.month_usd)} this month`]),
  ]));
}

/** Bars per day, today's in amber, the daily budget as a dashed red line when it is within the scale. */
function chart(days, budget) {
  const W = 720, H = 200, left = 56, bottom = 24, pad = 10;
  // The budget line joins the scale only when spending comes near it; otherwise the bars would be slivers.
  const top = Math.max(...days.map((d) => Number(d.spend_usd || 0)), 1e-6);
  const max = budget && top >= budget / 2 ? Math.max(top, budget) : top;
  const plotH = H - bottom - pad;
  const step = (W - left - 8) / Math.max(days.length, 1);
  const y = (v) => pad + plotH - (plotH * v) / max;
  const summary = `Spend per day over the last ${days.length} days; highest ${usd(Math.max(...days.map((d) => Number(d.spend_usd || 0))))}.`;
  const root = svg("svg", { class: "chart", id: "spend-chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": summary });
  root.append(svg("line", { class: "axis", x1: left, y1: pad + plotH, x2: W, y2: pad + plotH }));
  root.append(svg("line", { class: "axis", x1: left, y1: pad, x2: left, y2: pad + plotH }));
  root.append(svg("text", { x: left - 6, y: pad + 8, "text-anchor": "end" }, usd(max)));
  root.append(svg("text", { x: left - 6, y: pad + plotH, "text-anchor": "end" }, "$0"));
  days.forEach((d, i) => {
    const v = Number(d.spend_usd || 0);
    const x = left + i * step + step * 0.15;
    const bar = svg("rect", {
      class: i === days.length - 1 ? "bar today" : "bar", x: x.toFixed(1), y: y(v).toFixed(1),
      width: (step * 0.7).toFixed(1), height: Math.max(v > 0 ? 1 : 0, pad + plotH - y(v)).toFixed(1), dataset: { date: d.date },
    }, svg("title", {}, `${d.date}: ${usd(v)}`));
    root.append(bar);
    const last = i === days.length - 1;
    if (last || (i % 7 === 0 && days.length - 1 - i >= 4)) root.append(svg("text", { x: (x + step * 0.35).toFixed(1), y: H - 6, "text-anchor": "middle" }, String(d.date).slice(5)));
  });
  if (budget && budget <= max) root.append(svg("line", { class: "budget", x1: left, x2: W, y1: y(budget).toFixed(1), y2: y(budget).toFixed(1) }));
  return root;
}
