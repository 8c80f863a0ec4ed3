// Who uses the page: GET /api/auth/session says the auth mode, how this browser got in and which account it acts
// as. The top bar shows `name · role`; LOG OUT only for a password session (in proxy mode the proxy signs people
// in and out, in mode none nobody logs in); the USERS view and its tab only for an admin.

import { $, h } from "./dom.js";
import { api, logout } from "./api.js";
import { state } from "./state.js";
import { say } from "./notices.js";

/** Whether the page's person is an admin (mode none acts as the appliance's own account, an admin). */
export const isAdmin = () => Boolean(state.me && state.me.role === "admin");

/** Reads the session and draws who is logged in; a failure leaves the controls hidden (the page still works). */
export async function loadAccount() {
  let s;
  try {
    s = await api.get("/api/auth/session");
  } catch {
    return null;
  }
  const user = s && s.user ? s.user : null;
  state.me = { mode: s.mode, via: s.via, name: user ? user.name : null, role: user ? user.role : null };
  drawAccount();
  return state.me;
}

function drawAccount() {
  const me = state.me;
  const who = $("whoami");
  who.hidden = !me.name;
  if (me.name) {
    // Read aloud as "Logged in as alice · member"; seen as "alice · member".
    who.replaceChildren(h("span", { class: "visually-hidden", text: "Logged in as " }), `${me.name} · ${me.role}`);
    who.title = me.mode === "none" ? "auth.mode is none: everyone acts as this account" : `logged in as ${me.name} (${me.role})`;
  }
  $("logout").hidden = !canLogOut();
  $("nav-users").hidden = !isAdmin();
}

/** LOG OUT makes sense only for a cookie session of password mode. */
function canLogOut() {
  return Boolean(state.me && state.me.mode === "password" && state.me.via === "session");
}

/** /logout: ends a password session; elsewhere says why there is nothing to end here. */
export async function logoutCommand() {
  if (canLogOut()) { await logout(); return; }
  const mode = state.me && state.me.mode;
  if (mode === "proxy") say("warn", "NO LOG OUT HERE: you signed in through the proxy in front of this appliance", "sign out there");
  else if (mode === "none") say("warn", "NO LOG OUT: auth.mode is none, nobody logs in");
  else say("warn", "NO LOG OUT: this browser has no session of its own (an API token?)");
}
