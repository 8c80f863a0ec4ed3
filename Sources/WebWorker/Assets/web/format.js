// Number and date formatting shared by the views. Costs are tiny (a lorem answer costs $0.000047), so they keep
// significant digits instead of rounding to cents.

/** `$0.000047`, `$0.12`, `$12.34`; "n/a" when unknown. */
export function usd(value) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "n/a";
  const v = Number(value);
  if (v === 0) return "$0.00";
  if (Math.abs(v) >= 1) return "$" + v.toFixed(2);
  if (Math.abs(v) >= 0.01) return "$" + v.toFixed(4).replace(/0{1,2}$/, "");
  return "$" + v.toPrecision(2).replace(/^0\./, "0.").replace(/e-(\d+)$/, (_, e) => "e-" + e);
}

/** What an estimated cost's tooltip says: where the figure comes from and what replaces it. */
export const ESTIMATE_TITLE =
  "estimate: tokens counted from the text × the model's prices, awaiting OpenRouter's own figure";

/** A cost with its source: `~$0.000047` when it is an estimate (cost_source "estimated"), else as `usd`. */
export function cost(value, source) {
  const text = usd(value);
  return source === "estimated" && text !== "n/a" ? "~" + text : text;
}

/** A spend and the part of it still estimated: `$0.42`, or `$0.42 (~$0.03 estimated)`. */
export function spend(total, estimated) {
  return Number(estimated) > 0 ? `${usd(total)} (~${usd(estimated)} estimated)` : usd(total);
}

/** Whole numbers with thin grouping: 12 345. */
export function count(value) {
  if (value === null || value === undefined) return "n/a";
  return Number(value).toLocaleString("en-US");
}

/** Milliseconds as "52 ms" or "1.4 s". */
export function ms(value) {
  if (value === null || value === undefined) return "n/a";
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`;
}

/** Seconds as "3d 04h", "2h 05m", "4m 09s", "12s". */
export function uptime(seconds) {
  if (seconds === null || seconds === undefined) return "n/a";
  const s = Math.floor(seconds);
  const pad = (n) => String(n).padStart(2, "0");
  if (s >= 86400) return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${s}s`;
}

/** Bytes as "41.2 MB". */
export function bytes(value) {
  if (value === null || value === undefined) return "n/a";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = Number(value);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** An ISO 8601 timestamp as "2026-11-30 05:01" (UTC, as the server stores it). */
export function stamp(iso) {
  if (!iso) return "";
  return String(iso).replace("T", " ").slice(0, 16);
}

/** Price per million tokens: "$2.50" or "free". */
export function perMillion(value) {
  if (value === null || value === undefined) return "?";
  return Number(value) === 0 ? "free" : "$" + Number(value).toFixed(2);
}
