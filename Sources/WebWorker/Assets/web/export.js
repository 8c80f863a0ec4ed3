// Export a conversation as a download. The server's GET /api/conversations/{id}/export is used when it exists;
// while it does not (404), the same document is built here from GET /api/conversations/{id}, so the buttons
// work on every server version.

import { h } from "./dom.js";
import { api } from "./api.js";
import { usd } from "./format.js";

const EXT = { markdown: "md", json: "json" };
const TYPE = { markdown: "text/markdown; charset=utf-8", json: "application/json" };

/** Downloads the conversation `id` as `format` ("markdown" or "json"); resolves to the file name. */
export async function exportConversation(id, format) {
  let res = null;
  try {
    res = await fetch(`/api/conversations/${encodeURIComponent(id)}/export?format=${format}`);
  } catch {
    res = null; // network: the fallback below reports it properly
  }
  if (res && res.ok) {
    const name = fileNameFrom(res.headers.get("Content-Disposition")) || `conversation-${id.slice(0, 8)}.${EXT[format]}`;
    save(await res.blob(), name);
    return name;
  }
  const detail = await api.get(`/api/conversations/${encodeURIComponent(id)}`);
  const text = format === "json" ? JSON.stringify(detail, null, 2) + "\n" : toMarkdown(detail);
  const name = `${slug(detail.title)}-${id.slice(0, 8)}.${EXT[format]}`;
  save(new Blob([text], { type: TYPE[format] }), name);
  return name;
}

/** `attachment; filename="x.md"` (or RFC 5987 filename*=UTF-8''x.md) → x.md. */
export function fileNameFrom(header) {
  if (!header) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) { try { return decodeURIComponent(star[1]); } catch { /* fall through */ } }
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : null;
}

function slug(title) {
  return String(title || "conversation").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "conversation";
}

/** Hands a blob to the browser as a download (an object URL on a temporary link). */
export function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

/** The Markdown form: a header with the totals, then each message under its role. */
export function toMarkdown(c) {
  const lines = [`# ${c.title}`, "", `- Conversation: ${c.id}`, `- Created: ${c.created_at}`, `- Model: ${c.model || "default"}`,
    `- Messages: ${c.message_count}`, `- Cost: ${usd(c.cost_usd)}`, ""];
  if (c.system_prompt) lines.push("## System", "", c.system_prompt, "");
  for (const m of c.messages || []) {
    if (m.role === "assistant") {
      const facts = [m.model, m.completion_tokens != null ? `${m.prompt_tokens} in / ${m.completion_tokens} out tokens` : null,
        m.cost_usd != null ? usd(m.cost_usd) : null, m.status !== "complete" ? m.status : null].filter(Boolean);
      lines.push(`## Assistant${facts.length ? ` (${facts.join(", ")})` : ""}`, "");
      if (m.reasoning) lines.push("<details><summary>Reasoning</summary>", "", m.reasoning, "", "</details>", "");
    } else {
      lines.push(`## ${m.role === "user" ? "User" : "System"}`, "");
    }
    lines.push(m.content, "");
    if (m.error) lines.push(`> Error: ${m.error}`, "");
  }
  return lines.join("\n");
}
