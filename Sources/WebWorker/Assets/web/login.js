// The login page: posts the password, and on success goes to the terminal. The session lives in an HttpOnly
// cookie this script never sees. A refusal says why (wrong password, slowed down, locked out, no password set).

const form = document.getElementById("login-form");
const input = document.getElementById("password");
const button = document.getElementById("login-submit");
const status = document.getElementById("login-status");

function show(kind, text) {
  status.className = `login-status ${kind}`;
  status.textContent = text;
}

async function explain(res) {
  let message = `HTTP ${res.status}`;
  try {
    const body = await res.json();
    if (body && body.error && body.error.message) message = body.error.message;
  } catch {
    // not JSON: keep the status
  }
  if (res.status === 429) {
    const wait = res.headers.get("Retry-After");
    return `TOO MANY ATTEMPTS: ${message}${wait ? ` (retry in ${wait} s)` : ""}`;
  }
  if (res.status === 401) return "ACCESS DENIED: wrong password";
  return `ERROR: ${message}`;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (input.value === "") return;
  button.disabled = true;
  show("muted", "VERIFYING…");
  try {
    const res = await fetch("/api/auth/login", {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ password: input.value }),
    });
    if (res.ok) {
      show("", "ACCESS GRANTED");
      location.replace("/");
      return;
    }
    show("err", await explain(res));
    input.select();
  } catch (err) {
    show("err", `NETWORK ERROR: ${err && err.message ? err.message : "no answer"}`);
  } finally {
    button.disabled = false;
  }
});
