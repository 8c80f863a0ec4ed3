// Every session at once: EXPORT ALL downloads GET /api/export (JSON Lines, one session a line after a header),
// IMPORT sends a file the user picks to POST /api/import (an export, one session's JSON, or a monthly archive
// .jsonl.zst) and says what the server did with it. Both show their progress in the sidebar's status line and
// end with a console line; a failure says what happened and what to do, and nothing is half-applied silently.

import { $ } from "./dom.js";
import { ApiError } from "./api.js";
import { bytes } from "./format.js";
import { say, report, describe, hintFor } from "./notices.js";
import { fileNameFrom, save } from "./export.js";

const TYPES = { jsonl: "application/x-ndjson", ndjson: "application/x-ndjson", json: "application/json", zst: "application/zstd" };
/** What to do about an import's own refusals (other codes get the console's usual hints). */
const IMPORT_HINTS = {
  invalid_import: "pick a file written by EXPORT ALL, a session's JSON export or a monthly archive; sessions before the named line were imported",
  too_large: "the file is over the import limits (1 GiB in all, 64 MiB a session): split it, or run `neural-terminal import` on the server",
};

function status(kind, text) {
  const line = $("archive-status");
  line.className = `archive-status ${kind}`;
  line.textContent = text;
}

/** Downloads every session as JSON Lines, counting bytes and sessions as they arrive. */
export async function exportAll() {
  status("muted", "EXPORTING ALL SESSIONS…");
  try {
    let res;
    try {
      res = await fetch("/api/export", { headers: { Accept: "application/x-ndjson" } });
    } catch (err) {
      throw new ApiError("network", 0, "network", err && err.message ? err.message : "network error");
    }
    if (!res.ok) throw await errorOf(res.status, await res.text(), res.headers.get("X-Request-ID"));
    const reader = res.body.getReader();
    const chunks = [];
    let size = 0;
    let lines = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
      for (const byte of value) if (byte === 10) lines += 1;
      status("muted", `EXPORTING ALL SESSIONS… ${bytes(size)}`);
    }
    const name = fileNameFrom(res.headers.get("Content-Disposition")) || "neural-terminal-export.jsonl";
    save(new Blob(chunks, { type: "application/x-ndjson" }), name);
    const sessions = Math.max(0, lines - 1); // the first line is the header
    status("ok", `EXPORTED ${sessions} SESSION${sessions === 1 ? "" : "S"} (${bytes(size)}) → ${name}`);
    say("info", `EXPORTED ALL: ${sessions} sessions, ${bytes(size)} → ${name}`);
  } catch (err) {
    status("err", `EXPORT FAILED: ${describe(err)}`);
    report(err, "EXPORT ALL");
  }
}

/** Opens the file picker; the picked file is imported by the input's change handler (wired in app.js). */
export function chooseImport() {
  const input = $("import-file");
  input.value = "";
  input.click();
}

/**
 * Sends `file` to POST /api/import with upload progress, then reports the server's counts. Resolves to the
 * summary object, or null when the import failed (the status line and the console say why).
 */
export async function importFile(file) {
  const ext = (/\.([a-z]+)$/i.exec(file.name) || [])[1];
  const type = TYPES[(ext || "").toLowerCase()] || "application/x-ndjson";
  status("muted", `IMPORTING ${file.name} (${bytes(file.size)})…`);
  try {
    const summary = await upload(file, type, (sent) => {
      const pct = file.size ? Math.round((100 * sent) / file.size) : 100;
      status("muted", pct < 100 ? `IMPORTING ${file.name}: ${pct}% sent` : `IMPORTING ${file.name}: sent, the server is storing it…`);
    });
    const text = describeSummary(summary);
    status("ok", `IMPORTED ${file.name}: ${text}`);
    say("info", `IMPORTED ${file.name}: ${text}`);
    if (summary.busy) say("warn", `${summary.busy} SESSION(S) SKIPPED: an answer was streaming in them`, "import the file again once it ends");
    return summary;
  } catch (err) {
    const hint = IMPORT_HINTS[err.code] || hintFor(err.code, err.status);
    status("err", `IMPORT FAILED: ${describe(err)} → ${hint}`);
    say("err", `IMPORT ${file.name}: ${describe(err)}`, hint);
    return null;
  }
}

/** "2 sessions added, 1 updated, 0 unchanged · 9 messages added, 0 updated, 0 kept" (conflicts and busy when any). */
export function describeSummary(s) {
  const n = (key) => Number(s[key] || 0);
  const sessions = n("conversations_added");
  const messages = n("messages_added");
  const conflicts = n("conflicts") ? `, ${n("conflicts")} kept beside as imported copies` : "";
  const busy = n("busy") ? `, ${n("busy")} busy (skipped)` : "";
  return `${sessions} session${sessions === 1 ? "" : "s"} added, ${n("conversations_updated")} updated, ` +
    `${n("conversations_unchanged")} unchanged${conflicts}${busy} · ${messages} message${messages === 1 ? "" : "s"} ` +
    `added, ${n("messages_updated")} updated, ${n("messages_kept")} kept`;
}

/** XMLHttpRequest, because fetch() reports no upload progress. Resolves to the JSON answer; throws ApiError. */
function upload(file, type, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/import");
    xhr.setRequestHeader("Content-Type", type);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => onProgress(e.loaded));
    xhr.addEventListener("error", () => reject(new ApiError("network", 0, "network", "the upload did not reach the server")));
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try { resolve(JSON.parse(xhr.responseText)); } catch { reject(new ApiError("http", xhr.status, "invalid_answer", "the server's answer is not JSON")); }
      } else {
        reject(errorOf(xhr.status, xhr.responseText, xhr.getResponseHeader("X-Request-ID")));
      }
    });
    xhr.send(file);
  });
}

/** An ApiError from an error answer's status and body (`{"error":{"code","message"}}`, or anything else). */
function errorOf(statusCode, text, requestId) {
  if (statusCode === 401) location.assign("/login");
  let code = `http_${statusCode}`;
  let message = `HTTP ${statusCode}`;
  try {
    const body = JSON.parse(text);
    if (body && body.error) { code = String(body.error.code ?? code); message = String(body.error.message ?? message); }
  } catch {
    // not JSON (a proxy's error page): keep the status
  }
  return new ApiError("http", statusCode, code, message, requestId);
}
