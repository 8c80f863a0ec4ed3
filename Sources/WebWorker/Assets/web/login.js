// The login page: posts the name (optional: empty is the appliance's own account) and the password, and on
// success goes to the terminal. The session lives in an HttpOnly cookie this script never sees. A refusal says
// why (wrong name or password, slowed down, locked out, no password set).

const form = document.getElementById("login-form");
const nameInput = document.getElementById("name");
const input = document.getElementById("password");
const button = document.getElementById("login-submit");
const status = document.getElementById("login-status");

let waitTimer = null;

function show(kind, text) {
  status.className = `login-status ${kind}`;
  status.textContent = text;
}

/** After a 429 the button stays disabled, counting down the server's Retry-After (short waits only; a lockout
 *  just says how long). */
function holdOff(seconds, message) {
  clearInterval(waitTimer);
  if (!(seconds > 0) || seconds > 120) {
    show("err", `TOO MANY ATTEMPTS: ${message}`);
    return;
  }
  let left = seconds;
  button.disabled = true;
  const tick = () => {
    if (left <= 0) {
      clearInterval(waitTimer);
      button.disabled = false;
      show("warn", "READY: try again");
      return;
    }
    show("err", `TOO MANY ATTEMPTS: retry in ${left} s`);
    left -= 1;
  };
  tick();
  waitTimer = setInterval(tick, 1000);
}

async function explain(res) {
  let message = `HTTP ${res.status}`;
  try {
    const body = await res.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch {
    // not JSON: keep the status
  }
  if (res.status === 401) return `ACCESS DENIED: ${message}`;
  return `ERROR: ${message}`;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  // Enter in NAME moves on to PASSWORD while that is empty.
  if (input.value === "") { input.focus(); return; }
  const name = nameInput.value.trim();
  button.disabled = true;
  show("muted", "VERIFYING…");
  try {
    const res = await fetch("/api/auth/login", {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(name ? { name, password: input.value } : { password: input.value }),
    });
    if (res.ok) {
      show("", "ACCESS GRANTED");
      location.replace("/");
      return;
    }
    if (res.status === 429) {
      holdOff(Number(res.headers.get("Retry-After")), await explain(res));
      input.select();
      return;
    }
    button.disabled = false;
    show("err", await explain(res));
    input.select();
  } catch (err) {
    button.disabled = false;
    show("err", `NETWORK ERROR: ${err && err.message ? err.message : "no answer"}`);
  }
});
