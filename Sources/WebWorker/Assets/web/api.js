// The JSON API and the chat stream. Every failure becomes an ApiError with a `kind` the views turn into a
// terminal-style line: "network" (no answer at all), "http" (an error status with the server's code/message).

export class ApiError extends Error {
  constructor(kind, status, code, message, requestId) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.requestId = requestId || null;
  }
}

/** Reads the `{"error":{"code","message"}}` body of an error answer (or makes one up from the status). */
async function errorFrom(res) {
  // The session ended (logout elsewhere, expiry, a new password): back to the login page.
  if (res.status === 401) location.assign("/login");
  let code = `http_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  try {
    const body = await res.json();
    if (body && body.error) {
      code = String(body.error.code ?? code);
      message = String(body.error.message ?? message);
    }
  } catch {
    // Not JSON (a proxy's error page): keep the status line.
  }
  const err = new ApiError("http", res.status, code, message, res.headers.get("X-Request-ID"));
  err.retryAfter = Number(res.headers.get("Retry-After")) || null; // seconds (503 circuit_open, 429)
  return err;
}

/** fetch() with JSON in and out; throws ApiError. Returns null for 204. */
export async function request(method, path, body, { signal } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    reachable(false);
    throw new ApiError("network", 0, "network", err && err.message ? err.message : "network error");
  }
  reachable(true);
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return null;
  return res.json();
}

/** Ends this browser's session and shows the login page. */
export async function logout() {
  try {
    await fetch("/api/auth/logout", { method: "POST", headers: { Accept: "application/json" } });
  } finally {
    location.assign("/login");
  }
}

export const api = {
  get: (path, opts) => request("GET", path, undefined, opts),
  post: (path, body, opts) => request("POST", path, body ?? {}, opts),
  patch: (path, body) => request("PATCH", path, body),
  put: (path, body) => request("PUT", path, body ?? {}),
  del: (path) => request("DELETE", path),
};

/** GET that treats 404 as "this server has no such API yet" (returns null) so views can show n/a. */
export async function optional(path) {
  try {
    return await api.get(path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/**
 * POSTs to a streaming chat route and calls `onEvent(name, data)` for each server-sent event as it arrives.
 * EventSource cannot POST, so this reads the body with a stream reader and parses SSE itself (events may be
 * split anywhere across reads; LF, CR and CRLF line ends; comment lines are keep-alives).
 * Resolves when the body ends; throws ApiError for a refusal (status before the stream) or a lost connection.
 */
export async function streamTurn(path, body, onEvent, signal) {
  return streamEvents("POST", path, body ?? {}, onEvent, signal);
}

/**
 * Attaches to a conversation's answer already streaming (another tab started it, or this page was reloaded):
 * the same events as a turn, starting with `meta` and `snapshot` (the text so far). Throws an ApiError with
 * code `not_streaming` when no answer streams there any more.
 */
export async function attachStream(path, onEvent, signal) {
  return streamEvents("GET", path, undefined, onEvent, signal);
}

/** Tells the page whether the server answered (`nt:reachable` with `detail.ok`), for the status badge. */
function reachable(ok) {
  window.dispatchEvent(new CustomEvent("nt:reachable", { detail: { ok } }));
}

async function streamEvents(method, path, body, onEvent, signal) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: "text/event-stream" } : { Accept: "text/event-stream", "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    reachable(false);
    throw new ApiError("network", 0, "network", err && err.message ? err.message : "network error");
  }
  reachable(true);
  if (!res.ok) throw await errorFrom(res);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "message";
  let data = [];
  const dispatch = () => {
    if (data.length > 0) {
      let parsed = null;
      try { parsed = JSON.parse(data.join("\n")); } catch { parsed = { raw: data.join("\n") }; }
      onEvent(event, parsed);
    }
    event = "message";
    data = [];
  };
  const handleLine = (line) => {
    if (line === "") return dispatch();
    if (line.startsWith(":")) return undefined; // keep-alive comment
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    return undefined;
  };
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (err) {
      if (err && err.name === "AbortError") throw err;
      reachable(false);
      throw new ApiError("network", 0, "stream_lost", "the connection to the server was lost mid-answer");
    }
    if (chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    // Keep the last, possibly incomplete line in the buffer. A CR at the very end may be half of a CRLF.
    const lines = buffer.split(/\r\n|\r(?!$)|\n/);
    buffer = lines.pop();
    lines.forEach(handleLine);
  }
  buffer += decoder.decode();
  if (buffer !== "") handleLine(buffer.replace(/\r$/, ""));
  dispatch();
  return res.headers.get("X-Request-ID");
}
