// The sidebar: the session list (newest first, with cost) and search across every conversation. Search uses
// GET /api/search; while the server has no such route (404) it says so instead of failing silently.

import { $, h, clear } from "./dom.js";
import { api, ApiError } from "./api.js";
import { usd, stamp } from "./format.js";
import { describe } from "./notices.js";

/** Renders the list; `onOpen(id)` opens a conversation. */
export function renderSessions(conversations, total, currentId, onOpen) {
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
}

/** Runs a search and shows the hits; `onOpen(conversationId, messageId)` opens one. Returns the hit count. */
export async function runSearch(query, onOpen) {
  const box = clear($("search-results"));
  const q = query.trim();
  if (q === "") return 0;
  box.append(h("p", { class: "muted", text: `searching "${q}"…` }));
  let answer;
  try {
    answer = await api.get(`/api/search?q=${encodeURIComponent(q)}&limit=20`);
  } catch (err) {
    clear(box);
    if (err instanceof ApiError && err.status === 404 && err.code === "not_found") {
      box.append(h("p", { class: "warn", text: "SEARCH n/a: this server has no search API yet (GET /api/search)." }));
    } else {
      box.append(h("p", { class: "err", text: `SEARCH FAILED: ${describe(err)}` }));
    }
    return 0;
  }
  clear(box);
  const results = (answer && answer.results) || [];
  box.append(h("p", { class: "label", text: `${results.length} RESULT${results.length === 1 ? "" : "S"} FOR "${q}"` }));
  const ul = h("ul");
  for (const r of results) {
    const snippet = h("span", { class: "hit-snippet" });
    for (const part of r.snippet || []) snippet.append(part.match ? h("mark", { text: part.text }) : document.createTextNode(part.text));
    ul.append(h("li", {}, h("button", {
      class: "search-hit", type: "button", onclick: () => onOpen(r.conversation_id, r.message_id),
    }, h("span", { class: "hit-title", text: `${r.conversation_title} · ${String(r.role).toUpperCase()}` }), snippet)));
  }
  box.append(ul);
  return results.length;
}
