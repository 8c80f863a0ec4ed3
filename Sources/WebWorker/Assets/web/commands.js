// Slash commands for the keyboard-minded. Each maps onto the same action a button performs, so the two can
// never disagree; unknown commands say so and point at /help.

import { h } from "./dom.js";
import { say } from "./notices.js";
import { transcript, scrollToEnd } from "./transcript.js";
import { SHORTCUTS } from "./keys.js";
import { isAdmin } from "./account.js";

export const COMMANDS = [
  ["/new [TITLE]", "initialize a new session"],
  ["/model NAME", "use model NAME in this session (see the MODEL list for ids and prices)"],
  ["/system TEXT", "set this session's system prompt (/system alone clears it)"],
  ["/rename TITLE", "rename this session"],
  ["/export md|json", "download this session as Markdown or JSON"],
  ["/export all", "download every session (JSON Lines; IMPORT takes it back)"],
  ["/import", "import an export file (every session, one session's JSON, or a monthly .jsonl.zst)"],
  ["/search TEXT", "search every session"],
  ["/regenerate", "answer the last message again"],
  ["/diag", "open SYSTEM DIAGNOSTICS"],
  ["/users", "manage the accounts (admins only)"],
  ["/keys", "the keyboard shortcuts (also: ? outside a text field)"],
  ["/logout", "end this browser's session (when the appliance has a password)"],
  ["/help", "this list"],
];

/** Shows the command list as a SYSTEM block at the end of the transcript (not stored in the session). */
function showHelp() {
  const rows = (pairs) => pairs.map(([k, v]) => h("tr", {}, h("td", {}, h("code", { class: "inline", text: k })), h("td", { text: v })));
  const block = h("article", { class: "msg msg-system help", dataset: { role: "help" } },
    h("header", { class: "msg-head" }, h("span", { class: "role", text: "SYSTEM" }), h("span", { class: "state", text: "HELP" })),
    h("div", { class: "msg-body" },
      h("div", { class: "table-wrap" }, h("table", {}, h("tbody", {}, rows(COMMANDS.filter(([k]) => isAdmin() || !k.startsWith("/users")))))),
      h("div", { class: "table-wrap" }, h("table", {}, h("tbody", {}, rows(SHORTCUTS))))));
  transcript().querySelectorAll("article.help").forEach((a) => a.remove());
  transcript().append(block);
  scrollToEnd();
}

/**
 * Runs one command line. `app` provides the actions: newSession, setModel, setSystem, rename, exportAs, search,
 * regenerate, diagnostics, users, exportAll, chooseImport, showShortcuts, logout. Resolves when the action is done.
 */
export async function runCommand(line, app) {
  const match = /^\/(\S+)\s*([\s\S]*)$/.exec(line.trim());
  if (!match) return;
  const name = match[1].toLowerCase();
  const arg = match[2].trim();
  switch (name) {
    case "help": case "?": showHelp(); return;
    case "new": await app.newSession(arg || undefined); return;
    case "model":
      if (!arg) { say("warn", "USAGE: /model NAME", "pick an id from the MODEL list, e.g. /model openai/gpt-4o"); return; }
      await app.setModel(arg); return;
    case "system": await app.setSystem(arg); return;
    case "rename":
      if (!arg) { say("warn", "USAGE: /rename TITLE"); return; }
      await app.rename(arg); return;
    case "export": {
      if (arg.toLowerCase() === "all") { await app.exportAll(); return; }
      const format = { md: "markdown", markdown: "markdown", json: "json" }[arg.toLowerCase()];
      if (!format) { say("warn", "USAGE: /export md|json|all"); return; }
      await app.exportAs(format); return;
    }
    case "search":
      if (!arg) { say("warn", "USAGE: /search TEXT"); return; }
      await app.search(arg); return;
    case "regenerate": case "regen": await app.regenerate(); return;
    case "diag": case "diagnostics": app.diagnostics(); return;
    case "users": case "accounts": app.users(); return;
    case "import": app.chooseImport(); return;
    case "keys": case "shortcuts": app.showShortcuts(); return;
    case "logout": await app.logout(); return;
    default: say("err", `UNKNOWN COMMAND /${name}`, "type /help for the list of commands");
  }
}
