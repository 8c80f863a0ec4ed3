// The sidebar: the session list (newest first, with cost), paged through every session, and search across every
// conversation's title and messages. The list loads a page at a time (GET /api/conversations?limit&offset) and
// the next page when its end scrolls into view or MORE is pressed, so every session is reachable however many
// there are. Search uses GET /api/search; while the server has no such route (404) it says so instead of failing
// silently.

import { $, h, clear } from "./dom.js";
import { api, ApiError } from "./api.js";
import { state } from "./state.js";
import { usd, stamp } from "./format.js";
import { describe, report } from "./notices.js";

/** Sessions per page. A server whose limits.page_max_items is lower answers invalid_limit: then its own default. */
const PAGE = 100;
let pageLimit = PAGE;
let loadingMore = null;
let lastRender = { currentId: null, onOpen: () => {} };
let observer = null;

/** One page of sessions from `offset`. */
async function fetchPage(offset, count) {
  const limit = pageLimit ? `limit=${Math.min(count, pageLimit)}&` : "";
  try {
    return await api.get(`/api/conversations?${limit}offset=${offset}`);
  } catch (err) {
    if (!pageLimit || err.code !== "invalid_limit") throw err;
    pageLimit = null;
    return fetchPage(offset, count);
  }
}

/** `count` sessions from `offset`, newest first, page by page (fewer when there are no more). Throws ApiError. */
async function fetchSessions(offset, count) {
  const conversations = [];
  let total = 0;
  while (conversations.length < count) {
    const page = await fetchPage(offset + conversations.length, count - conversations.length);
    total = page.total;
    conversations.push(...page.conversations);
    if (page.conversations.length === 0 || offset + conversations.length >= total) break;
  }
  return { conversations, total };
}

/**
 * Reloads the list from the newest: a page at first, then as many sessions as it showed plus the ones added since
 * (a new session does not push the last one shown out of the list). Throws ApiError.
 */
export async function loadSessions() {
  const shown = state.conversations.length;
  const first = await fetchSessions(0, Math.max(PAGE, shown));
  // New sessions at the top (up to a page more: a large import's rest is behind MORE).
  const added = Math.min(PAGE, Math.max(0, first.total - state.total));
  const want = shown === 0 ? PAGE : Math.max(PAGE, shown + added);
  const rest = first.conversations.length < Math.min(want, first.total)
    ? await fetchSessions(first.conversations.length, want - first.conversations.length) : { conversations: [], total: first.total };
  const seen = new Set(first.conversations.map((c) => c.id));
  state.conversations = first.conversations.concat(rest.conversations.filter((c) => !seen.has(c.id)));
  state.total = rest.total;
}

/** Adds the next page to the list (its end came into view, or MORE was pressed) and draws it. */
export function loadMoreSessions() {
  if (!loadingMore && state.conversations.length < state.total) loadingMore = appendPage().finally(() => { loadingMore = null; });
  return loadingMore || Promise.resolve();
}

async function appendPage() {
  try {
    const shown = state.conversations.length;
    const { conversations, total } = await fetchSessions(shown, PAGE);
    // A session that moved to the top since (a new answer) shifts the pages: it is not listed twice.
    const seen = new Set(state.conversations.map((c) => c.id));
    state.conversations.push(...conversations.filter((c) => !seen.has(c.id)));
    state.total = total;
    if (state.conversations.length === shown) {
      // Nothing new (the order moved under the pages, or sessions were deleted): read the list again from the top.
      const again = await fetchSessions(0, shown + PAGE);
      state.conversations = again.conversations;
      state.total = again.total;
    }
  } catch (err) {
    report(err, "SESSION LIST");
    return;
  }
  renderSessions(state.conversations, state.total, lastRender.currentId, lastRender.onOpen);
}

/** Renders the list; `onOpen(id)` opens a conversation. Past the last session shown: MORE, while there are more. */
export function renderSessions(conversations, total, currentId, onOpen) {
  lastRender = { currentId, onOpen };
  const list = clear($("session-list"));
  $("session-count").textContent = `(${total})`;
  if (conversations.length === 0) {
    list.append(h("li", { class: "muted", text: "No sessions yet." }));
    return;
  }
  for (const c of conversations) {
    const current = c.id === currentId;
    list.append(h("li", {},
      h("button", {
        class: "session-item", type: "button", "aria-current": current ? "true" : "false", dataset: { id: c.id },
        onclick: () => onOpen(c.id),
      },
      h("span", { class: "s-title", text: c.title }),
      h("span", { class: "s-meta", text: `${stamp(c.updated_at).slice(5)} · ${c.message_count} MSG · ${usd(c.cost_usd)}` }))));
  }
  if (conversations.length < total) list.append(moreItem(conversations.length, total));
}

/** MORE: loads the next page when pressed, or by itself once it scrolls into view. */
function moreItem(shown, total) {
  const button = h("button", { id: "more-sessions", class: "btn wide", type: "button", onclick: () => loadMoreSessions() },
    `MORE SESSIONS (${shown} OF ${total} SHOWN)`);
  if ("IntersectionObserver" in window) {
    if (!observer) {
      observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) loadMoreSessions();
      }, { root: $("sessions"), rootMargin: "0px 0px 400px 0px" });
    }
    observer.disconnect();
    observer.observe(button);
  }
  return h("li", { class: "more" }, button);
}

let searchSeq = 0;

/**
 * Runs a search and shows the hits: sessions whose title matches, then messages; `onOpen(conversationId,
 * messageId)` opens one (messageId null for a title). Only the newest search draws (typing starts one per pause).
 * Returns the hit count.
 */
export async function runSearch(query, onOpen) {
  const seq = ++searchSeq;
  const box = clear($("search-results"));
  const q = query.trim();
  if (q === "") return 0;
  box.append(h("p", { class: "muted", text: `searching "${q}"…` }));
  let answer;
  try {
    answer = await api.get(`/api/search?q=${encodeURIComponent(q)}&limit=20`);
  } catch (err) {
    if (seq !== searchSeq) return 0;
    clear(box);
    if (err instanceof ApiError && err.status === 404 && err.code === "not_found") {
      box.append(h("p", { class: "warn", text: "SEARCH n/a: this server has no search API yet (GET /api/search)." }));
    } else {
      box.append(h("p", { class: "err", text: `SEARCH FAILED: ${describe(err)}` }));
    }
    return 0;
  }
  if (seq !== searchSeq) return 0;
  clear(box);
  const titles = (answer && answer.conversations) || [];
  const results = (answer && answer.results) || [];
  if (titles.length > 0) {
    box.append(h("p", { class: "label", text: `${titles.length} SESSION${titles.length === 1 ? "" : "S"} TITLED "${q}"` }),
      hitList(titles, (t) => [`${stamp(t.updated_at).slice(5)} · SESSION`, t.snippet], (t) => onOpen(t.conversation_id, null)));
  }
  box.append(h("p", { class: "label", text: `${results.length} RESULT${results.length === 1 ? "" : "S"} FOR "${q}"` }),
    hitList(results, (r) => [`${r.conversation_title} · ${String(r.role).toUpperCase()}`, r.snippet], (r) => onOpen(r.conversation_id, r.message_id)));
  return titles.length + results.length;
}

/** Buttons for hits: `describeHit(hit)` gives the heading and the snippet parts (matches marked). */
function hitList(hits, describeHit, open) {
  const ul = h("ul");
  for (const hit of hits) {
    const [heading, parts] = describeHit(hit);
    const snippet = h("span", { class: "hit-snippet" });
    for (const part of parts || []) snippet.append(part.match ? h("mark", { text: part.text }) : document.createTextNode(part.text));
    ul.append(h("li", {}, h("button", { class: "search-hit", type: "button", onclick: () => open(hit) },
      h("span", { class: "hit-title", text: heading }), snippet)));
  }
  return ul;
}
