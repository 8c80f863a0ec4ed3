// The controls on each message of the visible path: ‹ 2/3 › between its alternatives (the messages sharing its
// parent), EDIT (user messages), COPY and DELETE. This module only builds them; branches.js does what they do
// (one delegated listener on the transcript, so a redraw never leaves a stale handler behind).
//
// The controls of a message depend only on its role and its place among its alternatives; `drawTools` replaces
// them only where that changed, so the end of a turn leaves the other messages' nodes alone.

import { h } from "./dom.js";
import { state } from "./state.js";

/** Where a message stands among its alternatives: `{ index, count }` (index from 0). */
export function position(m) {
  const ids = Array.isArray(m.sibling_ids) && m.sibling_ids.length > 0 ? m.sibling_ids : [m.id];
  const index = ids.indexOf(m.id);
  return { index: index < 0 ? ids.length - 1 : index, count: ids.length };
}

function signature(m) {
  const { index, count } = position(m);
  return `${m.role}:${index + 1}/${count}`;
}

/** A control that waits while an answer streams (all but COPY): disabled then, and at the ends of ‹ ›. */
function button(action, text, attrs = {}) {
  const edge = Boolean(attrs.edge);
  delete attrs.edge;
  return h("button", {
    class: `btn small tool tool-${action}${action === "delete" ? " danger" : ""}`, type: "button", dataset: { action, edge: edge ? "true" : "false" },
    disabled: edge || (action !== "copy" && Boolean(state.stream)), text, ...attrs,
  });
}

/**
 * The controls of a stored message (`role`, `id`, `sibling_ids`), or of a user message not stored yet whose
 * `sibling_ids` already name the place it will take. Null for what is not a message (the system prompt).
 */
export function messageTools(m) {
  if (m.role !== "user" && m.role !== "assistant") return null;
  const { index, count } = position(m);
  const tools = h("div", { class: "msg-tools", role: "group", "aria-label": "Message actions", dataset: { signature: signature(m) } });
  if (count > 1) {
    tools.append(h("span", { class: "alternatives", role: "group", "aria-label": `alternative ${index + 1} of ${count}` },
      button("prev", "‹", { "aria-label": "previous alternative", title: "previous alternative", edge: index === 0 }),
      h("span", { class: "alt-count", "aria-hidden": "true", text: `${index + 1}/${count}` }),
      button("next", "›", { "aria-label": "next alternative", title: "next alternative", edge: index === count - 1 })));
  }
  if (m.role === "user") tools.append(button("edit", "EDIT", { title: "edit this message and send it as a new branch" }));
  tools.append(button("copy", "COPY", { title: "copy the message's text" }));
  tools.append(button("delete", "DELETE", { title: "delete this message and the replies below it" }));
  return tools;
}

/** Puts each message's controls on its article, replacing only those whose role or place changed. */
export function drawTools(messages) {
  for (const m of messages) {
    const article = document.querySelector(`#transcript article[data-id="${CSS.escape(m.id)}"]`);
    if (!article || article.dataset.status === "streaming") continue;
    const old = article.querySelector(".msg-tools");
    if (old && old.dataset.signature === signature(m)) continue;
    const fresh = messageTools(m);
    if (old) old.replaceWith(fresh); else article.querySelector(".msg-head").append(fresh);
  }
}

/** While an answer streams, the controls that change the tree wait (the server would refuse them: 409). */
export function setToolsBusy(busy) {
  document.querySelectorAll("#transcript .msg-tools button.tool").forEach((b) => {
    if (b.dataset.action !== "copy") b.disabled = busy || b.dataset.edge === "true";
  });
}
