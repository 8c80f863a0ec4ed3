// Neural Terminal's page: boot, routing (#/c/<id>, #/diagnostics, #/users) and keyboard/button wiring. Everything the
// page shows is built as DOM nodes by the modules it imports; nothing here parses HTML.

import { $ } from "./dom.js";
import { api, logout } from "./api.js";
import { loadAccount, logoutCommand } from "./account.js";
import { loadUsers, wireUsers } from "./users.js";
import { state } from "./state.js";
import { say, report } from "./notices.js";
import { runCommand } from "./commands.js";
import { runSearch } from "./sidebar.js";
import { loadDiagnostics } from "./diagnostics.js";
import { refreshUsage } from "./meter.js";
import { trackScrolling } from "./transcript.js";
import { send, regenerate, stopStreaming } from "./chat.js";
import { refreshSessions, openConversation, drawEmpty, loadModels, newSession, setRegenerateAction, stopPolling } from "./session.js";
import { setModel, setSystem, rename, deleteSession, exportAs } from "./actions.js";
import { enterSends, labelEnterKey, scrollKey, isTextField, showShortcuts } from "./keys.js";
import { rove } from "./roving.js";
import { exportAll, chooseImport, importFile } from "./archive.js";
import { setUpParams } from "./params.js";
import { wireMessageTools } from "./branches.js";
import { copyFromButton } from "./clipboard.js";

const DIAGNOSTICS_REFRESH_MS = 5000;
let diagTimer = null;

/** The actions slash commands may call. */
const actions = {
  newSession, setModel, setSystem, rename, exportAs, regenerate, exportAll, chooseImport, showShortcuts,
  search: async (text) => { $("search").value = text; openDrawer(true); await runSearch(text, openHit); },
  diagnostics: () => { location.hash = "#/diagnostics"; },
  users: () => { location.hash = "#/users"; },
  logout: logoutCommand,
};

/** Opens a search hit: the hashchange opens the conversation, which then scrolls to the message. */
function openHit(conversationId, messageId) {
  openDrawer(false);
  state.focusMessage = messageId;
  if (location.hash !== `#/c/${conversationId}`) location.hash = `#/c/${conversationId}`;
  else openConversation(conversationId);
}

function openDrawer(open) {
  document.body.classList.toggle("sessions-open", open);
  $("toggle-sessions").setAttribute("aria-expanded", String(open));
}

/** Shows the view the URL names and loads what it needs. */
async function route() {
  const hash = location.hash || "#/";
  const diagnostics = hash === "#/diagnostics";
  const users = hash === "#/users";
  $("terminal").hidden = diagnostics || users;
  $("diagnostics").hidden = !diagnostics;
  $("users").hidden = !users;
  $("nav-terminal").setAttribute("aria-current", diagnostics || users ? "false" : "page");
  $("nav-diagnostics").setAttribute("aria-current", diagnostics ? "page" : "false");
  $("nav-users").setAttribute("aria-current", users ? "page" : "false");
  clearInterval(diagTimer);
  if (users) {
    stopPolling();
    await loadUsers();
    return;
  }
  if (diagnostics) {
    stopPolling();
    await loadDiagnostics();
    diagTimer = setInterval(() => { if (!document.hidden) loadDiagnostics(); }, DIAGNOSTICS_REFRESH_MS);
    return;
  }
  const m = /^#\/c\/([0-9a-fA-F-]{36})$/.exec(hash);
  if (m) {
    const fresh = !state.current || state.current.id !== m[1] || !$("transcript").hasChildNodes();
    if (fresh || state.focusMessage) await openConversation(m[1]);
  } else {
    state.current = null;
    drawEmpty();
    await refreshSessions();
  }
}

async function submit() {
  const input = $("input");
  const text = input.value;
  if (text.trim() === "") return;
  input.value = "";
  autosize();
  if (text.trim().startsWith("/")) {
    await runCommand(text, actions);
  } else {
    await send(text);
  }
}

/** The input grows with its content up to the CSS max-height. */
function autosize() {
  const input = $("input");
  input.style.height = "auto";
  input.style.height = `${input.scrollHeight + 2}px`;
}

function wire() {
  $("composer").addEventListener("submit", (e) => { e.preventDefault(); submit(); });
  $("input").addEventListener("keydown", (e) => {
    // Enter sends (a new line on a touch screen), Shift+Enter is a newline; never while an IME composes (keys.js).
    if (enterSends(e)) { e.preventDefault(); submit(); } else if (scrollKey(e)) e.preventDefault();
  });
  labelEnterKey($("input"));
  rove($("session-list"), "button.session-item");
  rove($("search-results"), "button.search-hit");
  $("export-all").addEventListener("click", exportAll);
  $("import").addEventListener("click", chooseImport);
  $("import-file").addEventListener("change", async (e) => {
    const file = e.target.files && e.target.files[0];
    if (file && (await importFile(file))) refreshSessions();
  });
  $("input").addEventListener("input", autosize);
  $("stop").addEventListener("click", stopStreaming);
  $("new-session").addEventListener("click", () => { openDrawer(false); newSession(); });
  $("rename").addEventListener("click", () => rename());
  $("delete").addEventListener("click", deleteSession);
  $("logout").addEventListener("click", logout);
  $("export-md").addEventListener("click", () => exportAs("markdown"));
  $("export-json").addEventListener("click", () => exportAs("json"));
  $("model").addEventListener("change", (e) => setModel(e.target.value));
  $("toggle-system").addEventListener("click", () => {
    const panel = $("system-panel");
    panel.hidden = !panel.hidden;
    $("toggle-system").setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) $("system-text").focus();
  });
  $("system-panel").addEventListener("submit", (e) => { e.preventDefault(); setSystem($("system-text").value); });
  $("system-clear").addEventListener("click", () => setSystem(""));
  $("toggle-sessions").addEventListener("click", () => openDrawer(!document.body.classList.contains("sessions-open")));
  $("diag-refresh").addEventListener("click", loadDiagnostics);
  wireUsers();

  let searchTimer = null;
  $("search").addEventListener("input", (e) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => runSearch(e.target.value, openHit), 300);
  });
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); runSearch($("search").value, openHit); });

  // Copy buttons of code blocks (delegated: blocks are re-rendered while an answer streams).
  $("transcript").addEventListener("click", (e) => {
    const button = e.target.closest("button.copy");
    if (!button) return;
    const block = button.closest(".code-block");
    copyFromButton(button, block.querySelector("code").textContent, block);
  });
  wireMessageTools($("transcript"));

  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !$("dialog").open) {
      if (state.stream) { e.preventDefault(); stopStreaming(); } else if (document.body.classList.contains("sessions-open")) openDrawer(false);
    } else if (e.key === "?" && !e.ctrlKey && !e.metaKey && !e.altKey && !isTextField(e.target) && !$("dialog").open) {
      e.preventDefault();
      showShortcuts();
    } else if (e.target === document.body && scrollKey(e)) {
      e.preventDefault();
    } else if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
      e.preventDefault();
      openDrawer(true);
      $("search").focus();
    }
  });

  window.addEventListener("hashchange", route);
  window.addEventListener("offline", () => { setConn(false, "OFFLINE"); say("err", "NETWORK LOST: the browser is offline", "reconnect; nothing you typed is lost").classList.add("net"); });
  window.addEventListener("online", () => { setConn(true, "ONLINE"); say("info", "NETWORK BACK"); refreshSessions(); });
  window.addEventListener("unhandledrejection", (e) => report(e.reason, "UNEXPECTED"));
}

function setConn(ok, text) {
  const conn = $("conn");
  conn.textContent = text;
  conn.classList.toggle("err", !ok);
}

/** How often the page asks whether the server is back while it cannot reach it. */
const RECONNECT_MS = 3000;
let reconnecting = null;

/**
 * The badge follows every request: OFFLINE as soon as one gets no answer, and while offline the page asks the
 * server every few seconds, by itself; once it answers, the badge says ONLINE again, the stale network lines
 * leave the console, and the open session is read again (an answer that went on meanwhile is followed live).
 */
function trackReachability() {
  window.addEventListener("nt:reachable", (e) => {
    if (e.detail.ok || reconnecting) return;
    setConn(false, "OFFLINE");
    reconnecting = setInterval(async () => {
      let v;
      try { v = await api.get("/api/version"); } catch { return; }
      clearInterval(reconnecting);
      reconnecting = null;
      setConn(true, `ONLINE · v${v.version}`);
      document.querySelectorAll("#console .line.net").forEach((line) => line.remove());
      say("info", "SERVER BACK");
      await refreshSessions();
      if (state.current && !state.stream) await openConversation(state.current.id);
    }, RECONNECT_MS);
  });
}

async function boot() {
  setRegenerateAction(regenerate);
  trackScrolling();
  trackReachability();
  setUpParams();
  wire();
  try {
    const v = await api.get("/api/version");
    setConn(true, `ONLINE · v${v.version}`);
  } catch (err) {
    setConn(false, "OFFLINE");
    report(err, "SERVER");
  }
  await Promise.all([loadAccount(), refreshSessions(), loadModels(), refreshUsage()]);
  await route();
  $("input").focus();
  document.body.dataset.ready = "true"; // for tests: the first view is drawn
}

boot();
