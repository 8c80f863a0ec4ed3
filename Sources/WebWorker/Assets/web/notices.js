// Terminal-style status lines: what happened and what to do. Failures are never blank: every error the page
// meets ends up here (or on the answer it belongs to) with a hint, and the rest of the page keeps working.

import { $, h } from "./dom.js";

const MAX_LINES = 8;
/** Info lines fade out after this long; warnings and errors stay until the session changes. */
const INFO_TTL_MS = 20000;

/** What to do about an error code (from the API, a stream `error` event, or the browser). */
const HINTS = {
  network: "Check that neural-terminal is running and reachable, then try again.",
  stream_lost: "The server keeps what it received; reload the session to see the stored answer.",
  budget_exceeded: "Raise the budget in the config (then SIGHUP) or wait for the next day/month.",
  circuit_open: "The upstream (or this model) failed repeatedly; requests resume automatically after the retry time: this page sends again by itself, or switch model with /model.",
  already_streaming: "Press Esc to stop the answer that is streaming, then send again.",
  nothing_to_regenerate: "Send a message first.",
  not_found: "It does not exist (deleted, or not yours): pick another session or start a new one with /new.",
  no_api_key: "Set OPENROUTER_API_KEY or upstream.api_key_file and restart the appliance.",
  upstream_400: "The request was refused as invalid (often: the conversation is too long for the model).",
  upstream_401: "The API key was rejected: check OPENROUTER_API_KEY.",
  upstream_402: "The OpenRouter account is out of credits: add credits, or pick a free model with /model.",
  upstream_403: "The provider's moderation refused the message: rephrase it.",
  upstream_408: "The upstream timed out: regenerate, or try another model.",
  upstream_429: "Rate limited by the provider: wait a moment, then regenerate (or switch model with /model).",
  upstream_500: "The upstream failed: regenerate in a moment.",
  upstream_502: "The model's provider failed: regenerate, or switch model with /model.",
  upstream_503: "No provider can serve this model right now: switch model with /model, or retry later.",
  stream_cut: "The upstream dropped the connection mid-answer: the text so far is kept; regenerate for a full answer.",
  timeout_first_byte: "The upstream never started answering: regenerate, or try another model.",
  timeout_idle: "The upstream went silent mid-answer: the text so far is kept; regenerate.",
  timeout_total: "The answer took longer than upstream.total_timeout_seconds allows.",
  connect: "The upstream could not be reached: check upstream.base_url and the network.",
  transport: "The upstream connection failed: check the network, then regenerate.",
  tls: "TLS to the upstream failed: check upstream.ca_file and the server's certificate.",
  upstream_malformed: "The upstream sent something unreadable: regenerate.",
  internal: "The server hit an internal error; its log has the request id. Try again.",
};

/** The hint for an error, by code, then by HTTP status family. */
export function hintFor(code, status) {
  if (HINTS[code]) return HINTS[code];
  if (typeof code === "string" && code.startsWith("upstream_")) return "The upstream refused the request: regenerate, or try another model.";
  if (status >= 500) return "The server failed to answer; its log has the request id. Try again.";
  if (status === 400) return "Fix the request and try again.";
  return "Try again; if it keeps failing, check SYSTEM DIAGNOSTICS.";
}

/** A one-line description of an ApiError (or any error) with its code and request id. */
export function describe(err) {
  if (err && err.kind === "network") {
    return err.code === "stream_lost" ? `CONNECTION LOST: ${err.message}` : `NETWORK LOST: cannot reach the server (${err.message})`;
  }
  if (err && err.kind === "http") {
    const id = err.requestId ? ` [request ${err.requestId}]` : "";
    const label = { budget_exceeded: "BUDGET EXCEEDED", circuit_open: "UPSTREAM CIRCUIT OPEN" }[err.code] ||
      (err.status >= 500 ? `SERVER ERROR ${err.status}` : `ERROR ${err.status}`);
    return `${label} (${err.code}): ${err.message}${id}`;
  }
  return `ERROR: ${err && err.message ? err.message : String(err)}`;
}

/** Adds a line to the console: kind is info, warn or err. Returns the line element. */
export function say(kind, text, hint) {
  const log = $("console");
  const prefix = { info: "::", warn: "!!", err: "!!" }[kind] || "::";
  const line = h("p", { class: `line ${kind}` }, `${prefix} ${text}`, hint ? h("span", { class: "hint" }, `  → ${hint}`) : null);
  log.append(line);
  while (log.childElementCount > MAX_LINES) log.firstElementChild.remove();
  log.scrollTop = log.scrollHeight;
  if (kind === "info") setTimeout(() => line.remove(), INFO_TTL_MS);
  return line;
}

/** Reports an error on the console with its hint. */
export function report(err, context) {
  const text = (context ? `${context}: ` : "") + describe(err);
  const line = say("err", text, hintFor(err && err.code, err && err.status));
  // Network lines go once the server answers again (app.js).
  if (err && err.kind === "network") line.classList.add("net");
  return line;
}

/** Empties the console (a new session starts with a clean slate). */
export function clearNotices() {
  $("console").replaceChildren();
}
