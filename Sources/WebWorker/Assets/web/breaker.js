// A chat refused because a circuit breaker is open (503 circuit_open, the upstream's or the model's): the
// refusal's "(in 12 s)" counts down once a second from Retry-After, and at zero the page sends the same message
// again by itself. That attempt is the probe the breaker waits for: it closes the breaker, or is refused again and
// counts down anew. The page does not send when the user changed the input, switched session or sent something
// else meanwhile, and stops after MAX_AUTO_RETRIES refusals in a row.

import { $, h } from "./dom.js";
import { state } from "./state.js";
import { say } from "./notices.js";

const MAX_AUTO_RETRIES = 5;
/** A refusal this soon after an automatic send belongs to the same chain of retries. */
const CHAIN_MS = 10000;
const IN_SECONDS = /\(in (\d+) s\)/;

/** The automatic send in progress: { conversationId, text, count, at }, or null. */
let chain = null;

/**
 * Turns the refusal `notice` (whose text came from `err.message`) into a countdown and retries when it ends.
 * `text` is the message given back to the input (undefined for a regenerate); `resend()` starts the turn again.
 */
export function retryWhenBreakerAllows(notice, err, conversationId, text, resend) {
  const seconds = Number(err.retryAfter) || Number((IN_SECONDS.exec(err.message || "") || [])[1]);
  if (!seconds) return;
  const count = chain && chain.conversationId === conversationId && chain.text === text && Date.now() - chain.at < CHAIN_MS
    ? chain.count : 0;
  chain = null;
  const counter = countdownSpan(notice);
  notice.dataset.retryIn = String(seconds);
  let left = seconds;
  const show = () => { counter.textContent = left > 0 ? `(in ${left} s)` : "(retrying now)"; };
  show();
  const timer = setInterval(() => {
    left -= 1;
    notice.dataset.retryIn = String(Math.max(0, left));
    if (left > 0) { show(); return; }
    clearInterval(timer);
    if (!stillWanted(notice, conversationId, text)) { counter.textContent = "(retry time reached)"; return; }
    if (count >= MAX_AUTO_RETRIES) {
      counter.textContent = "(retry time reached)";
      say("warn", `STOPPED RETRYING after ${count} automatic attempts`, "send again yourself, or switch model with /model");
      return;
    }
    show();
    chain = { conversationId, text, count: count + 1, at: Date.now() };
    notice.remove();
    if (text !== undefined) $("input").value = "";
    resend();
  }, 1000);
}

/** Whether the refused turn is still what the page is about: same session shown, nothing streaming, same input. */
function stillWanted(notice, conversationId, text) {
  if (!notice.isConnected || state.stream) return false;
  if (!state.current || state.current.id !== conversationId) return false;
  return text === undefined || $("input").value.trim() === text.trim();
}

/** The "(in N s)" of the notice's message as a span the countdown rewrites (added when the message has none). */
function countdownSpan(notice) {
  const line = notice.querySelector(".err-line") || notice;
  const span = h("span", { class: "countdown", "aria-live": "off" });
  const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const match = IN_SECONDS.exec(node.data);
    if (!match) continue;
    const rest = node.splitText(match.index);
    rest.data = rest.data.slice(match[0].length);
    rest.before(span);
    return span;
  }
  const hint = line.querySelector(".hint");
  if (hint) hint.before(" ", span); else line.append(" ", span);
  return span;
}
