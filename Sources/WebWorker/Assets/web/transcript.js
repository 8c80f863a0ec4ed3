// The transcript: one <article> per message. Model text goes through renderMarkdown (DOM nodes, never HTML).
// A streaming answer is a StreamView: each delta is appended to a text node at once (the text visibly grows),
// and the Markdown of that one message is re-rendered at most every 100 ms; the rest of the transcript is
// never touched while it streams.

import { h, $, selectionTouches } from "./dom.js";
import { renderMarkdown, renderMarkdownInto } from "./markdown.js";
import { cost, count, ms, stamp, ESTIMATE_TITLE } from "./format.js";
import { hintFor } from "./notices.js";
import { messageTools } from "./msgtools.js";

const RENDER_INTERVAL_MS = 100;
const FINAL = new Set(["complete", "stopped", "error", "interrupted"]);

export const transcript = () => $("transcript");

/** Whether the transcript is scrolled to (near) its end. */
function atBottom() {
  const t = transcript();
  return t.scrollHeight - t.scrollTop - t.clientHeight < 40;
}

// Follow the end of the transcript while text arrives, until the reader scrolls up; scrolling back down to
// the end resumes following. (A per-append "is it at the bottom" check loses the end as soon as a Markdown
// re-render makes the message taller.)
let follow = true;

/** Installs the scroll listener that decides whether new text keeps the transcript at its end. */
export function trackScrolling() {
  transcript().addEventListener("scroll", () => { follow = atBottom(); }, { passive: true });
}

/** Scrolls to the end and follows new text from now on. */
export function scrollToEnd() {
  const t = transcript();
  follow = true;
  t.scrollTop = t.scrollHeight;
}

/** Keeps the end in view if the reader has not scrolled away. */
export function keepAtEnd() {
  if (follow) transcript().scrollTop = transcript().scrollHeight;
}

const ROLE_LABEL = { user: "USER", assistant: "ASSISTANT", system: "SYSTEM" };

/** The head line of a message: role label, state, time. */
function head(role, status, createdAt) {
  return h("header", { class: "msg-head" },
    h("span", { class: "role", text: ROLE_LABEL[role] || role.toUpperCase() }),
    h("span", { class: `state ${status || ""}`, text: status && status !== "complete" ? status.toUpperCase() : "" }),
    h("span", { class: "state", text: stamp(createdAt) }));
}

/** An article for a stored message (or a system prompt, passed as {role: "system", content}), with its controls
 * (msgtools.js; none while an answer streams in it). */
export function messageView(msg) {
  const role = msg.role;
  const article = h("article", { class: `msg msg-${role}`, dataset: { id: msg.id || "", role, status: msg.status || "" } });
  const header = head(role, role === "assistant" ? msg.status : null, msg.created_at);
  const tools = msg.status === "streaming" ? null : messageTools(msg);
  if (tools) header.append(tools);
  article.append(header);
  if (role === "assistant") {
    if (msg.reasoning) article.append(reasoningBlock(msg.reasoning));
    const body = h("div", { class: "msg-body" }, renderMarkdown(msg.content || ""));
    article.append(body);
    if (msg.error) article.append(errorLine(msg.error_code || null, msg.error));
    article.append(metaLine(msg));
  } else {
    article.append(h("div", { class: "msg-body", text: msg.content }));
  }
  return article;
}

/** Rebuilds an assistant article in place from its stored form (after a stream ends, or while polling). */
export function replaceMessage(article, msg) {
  const fresh = messageView(msg);
  article.replaceWith(fresh);
  return fresh;
}

function reasoningBlock(text) {
  return h("details", { class: "reasoning" },
    h("summary", { text: "REASONING" }),
    h("div", { class: "reasoning-body", text }));
}

/** The red line of a failed answer: what happened, then what to do. */
export function errorLine(code, message) {
  const what = code ? `${code}: ${message}` : message;
  return h("p", { class: "err-line", role: "alert" }, `!! ${what}`, h("span", { class: "hint", text: `→ ${hintFor(code || "")}` }));
}

/** MODEL · TOKENS · COST · TTFT · TIME of an answer. */
export function metaLine(m) {
  const items = [];
  const item = (label, value) => items.push(h("span", {}, h("b", { text: label }), " ", value));
  item("MODEL", m.model || "n/a");
  if (m.prompt_tokens != null || m.completion_tokens != null) {
    const reasoning = m.reasoning_tokens ? ` (${count(m.reasoning_tokens)} reasoning)` : "";
    item("TOKENS", `${count(m.prompt_tokens)} in / ${count(m.completion_tokens)} out${reasoning}`);
  } else {
    item("TOKENS", "n/a");
  }
  const estimated = m.cost_source === "estimated";
  item("COST", h("span", { class: estimated ? "cost estimated" : "cost", dataset: { source: m.cost_source || "" },
    title: estimated ? ESTIMATE_TITLE : null, text: cost(m.cost_usd, m.cost_source) }));
  item("TTFT", ms(m.ttft_ms));
  if (m.duration_ms != null) item("TIME", ms(m.duration_ms));
  return h("footer", { class: "msg-meta" }, items);
}

/** Puts the regenerate action on the last answer only (and removes it elsewhere). */
export function markLastAnswer(onRegenerate) {
  document.querySelectorAll(".msg-meta .regen").forEach((b) => b.remove());
  const answers = transcript().querySelectorAll("article.msg-assistant");
  const last = answers[answers.length - 1];
  const lastArticle = transcript().querySelector("article.msg:last-of-type");
  if (!last || last !== lastArticle || last.dataset.status === "streaming") return;
  const meta = last.querySelector(".msg-meta");
  if (meta) meta.append(h("button", { class: "btn small regen", type: "button", text: "REGENERATE", onclick: onRegenerate }));
}

/** A streaming answer: text grows as deltas arrive, a block cursor blinks until the final state. */
export class StreamView {
  constructor(model) {
    this.text = "";
    this.reasoningText = "";
    this.started = performance.now();
    this.ttft = null;
    this.usage = null;
    this.model = model || null;
    this.timer = null;
    this.body = h("div", { class: "msg-body", "aria-live": "polite", "aria-busy": "true" });
    this.state = h("span", { class: "state streaming", text: "STREAMING" });
    this.meta = h("footer", { class: "msg-meta" });
    this.article = h("article", { class: "msg msg-assistant streaming", dataset: { role: "assistant", status: "streaming" } },
      h("header", { class: "msg-head" }, h("span", { class: "role", text: "ASSISTANT" }), this.state),
      this.body, this.meta);
    this.cursor = h("span", { class: "cursor", "aria-hidden": "true" });
    this.tail = document.createTextNode("");
    this.body.append(this.tail, this.cursor);
    this.renderMeta();
  }

  /** Appends answer text: visible at once, Markdown re-rendered at most every RENDER_INTERVAL_MS. */
  append(text) {
    if (this.ttft === null) this.ttft = performance.now() - this.started;
    this.text += text;
    this.tail.appendData(text);
    if (!this.timer) this.timer = setTimeout(() => this.render(), RENDER_INTERVAL_MS);
    keepAtEnd();
  }

  /**
   * Re-renders this message's Markdown from its last block on (earlier blocks stay as they are), then puts the
   * cursor back at the end. A reader's selection in the text that would be replaced postpones it: the raw
   * text keeps growing and the Markdown catches up once the selection is gone.
   */
  render() {
    clearTimeout(this.timer);
    this.timer = null;
    const streaming = this.article.dataset.status === "streaming";
    if (selectionTouches(this.tail) || !renderMarkdownInto(this.body, this.text, (block) => !selectionTouches(block), () => {
      this.tail.remove();
      this.cursor.remove();
    })) {
      this.timer = setTimeout(() => this.render(), RENDER_INTERVAL_MS);
      return;
    }
    this.tail = document.createTextNode("");
    let host = this.body.lastElementChild;
    while (host && ["UL", "OL", "LI", "BLOCKQUOTE"].includes(host.tagName) && host.lastElementChild) host = host.lastElementChild;
    if (!host || !["P", "LI", "H3", "H4", "H5", "H6"].includes(host.tagName)) host = this.body;
    if (streaming) host.append(this.tail, this.cursor);
    keepAtEnd();
  }

  reasoning(text) {
    if (this.ttft === null) this.ttft = performance.now() - this.started;
    if (!this.reasoningBody) {
      this.reasoningBody = h("div", { class: "reasoning-body" });
      const block = h("details", { class: "reasoning", open: true }, h("summary", { text: "REASONING" }), this.reasoningBody);
      this.body.before(block);
      this.reasoningBlock = block;
    }
    this.reasoningText += text;
    this.reasoningBody.append(text); // appended, not replaced: a selection in it survives
    keepAtEnd();
  }

  setMeta(meta) {
    if (meta && meta.model) this.model = meta.model;
    if (meta && meta.assistant_message_id) this.article.dataset.id = meta.assistant_message_id;
    this.renderMeta();
  }

  setUsage(usage) {
    this.usage = usage;
    this.renderMeta();
  }

  renderMeta() {
    const u = this.usage || {};
    const fresh = metaLine({
      model: this.model, prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens,
      reasoning_tokens: u.reasoning_tokens, cost_usd: this.usage ? u.cost_usd : null, cost_source: u.cost_source,
      ttft_ms: this.ttft === null ? null : Math.round(this.ttft),
    });
    this.meta.replaceChildren(...fresh.childNodes);
  }

  /** The failure line goes between the text and the figures, like a stored failed answer. */
  error(code, message) {
    this.meta.before(errorLine(code, message));
    keepAtEnd();
  }

  /** Final state: the cursor goes, the state label shows how it ended, screen readers get the whole answer. */
  finish(status) {
    this.article.dataset.status = status;
    this.article.classList.remove("streaming");
    this.cursor.remove();
    this.render();
    if (this.reasoningBlock) this.reasoningBlock.open = false;
    this.state.className = `state ${status}`;
    this.state.textContent = status === "complete" ? "" : status.toUpperCase();
    this.body.setAttribute("aria-busy", "false");
    this.renderMeta();
    keepAtEnd();
  }

  get finished() {
    return FINAL.has(this.article.dataset.status);
  }
}

/** The placeholder shown when no session is open. */
/** A session id that names none of this person's sessions (deleted, mistyped, or someone else's: the server says
 *  404 for all three alike). */
export function notFoundState() {
  return h("div", { class: "empty", id: "not-found", role: "alert" },
    h("p", { class: "big", text: "> SESSION NOT FOUND" }),
    h("p", { text: "No session of yours has this id: it was deleted, or it was never yours." }),
    h("p", {}, "Pick one from the list, or ", h("a", { href: "#/", text: "start over" }), "."));
}

export function emptyState() {
  return h("div", { class: "empty" },
    h("p", { class: "big", text: "> NO SESSION LOADED" }),
    h("p", { text: "INITIALIZE SESSION to start, pick one from the list, or just type a message: a session is created for it." }),
    h("p", { text: "Enter sends · Shift+Enter newline · Esc stops an answer · /help lists the commands · ? the keys." }));
}
