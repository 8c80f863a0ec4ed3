// A small, safe Markdown renderer: text in, DOM nodes out. It never produces HTML strings, so whatever a model
// writes (<script>, onerror=, <svg>, <iframe>) stays text. Supported: paragraphs (single newlines are line
// breaks), headings, emphasis, strong, strikethrough, inline code, fenced code blocks (with a copy button),
// block quotes, nested lists, tables, rules, links (http, https and mailto only), bare URLs, LaTeX math
// ($…$, \(…\) inline; $$…$$, \[…\] display; math.js) and code coloured by its fence's language (syntax.js).
// Unterminated constructs (a half-streamed ``` fence, a lone **, an open $$) render as their text until they close.

import { h } from "./dom.js";
import { mathNode } from "./math.js";
import { highlightInto } from "./syntax.js";

const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** The URL as a string if it is absolute and http(s)/mailto, else null (javascript:, data:, relative, junk). */
export function safeUrl(raw) {
  let url;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
}

const splitLines = (text) => String(text).replace(/\r\n?/g, "\n").split("\n");

/** Renders `text` into a DocumentFragment. */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  for (const node of blocks(splitLines(text))) fragment.append(node);
  return fragment;
}

/**
 * Renders `text` into `container`, which holds only the blocks an earlier call put there, for text that grows
 * at its end (a streaming answer). Appended text can change only the last block and add new ones, so parsing
 * starts again at the last block and every block before it is kept as it is: a selection in it survives and its
 * formulas and code are not rendered again. `mayReplace(block)` can refuse replacing a block that changed (a
 * selection inside it): then nothing changes and the result is false. `prepare()` runs just before the first
 * change (the caller takes out what it added, such as a cursor).
 */
export function renderMarkdownInto(container, text, mayReplace = () => true, prepare = () => {}) {
  const lines = splitLines(text);
  const previous = container.mdText;
  const kept = [...container.children].filter((node) => node.mdLine !== undefined);
  const last = kept[kept.length - 1];
  let fresh;
  if (previous === undefined || !text.startsWith(previous) || !last) {
    if ([...container.children].some((node) => !mayReplace(node))) return false;
    prepare();
    container.replaceChildren();
    fresh = blocks(lines);
  } else {
    fresh = blocks(lines, last.mdLine);
    const same = fresh.length > 0 && fresh[0].mdSource === last.mdSource;
    if (!same && !mayReplace(last)) return false;
    prepare();
    if (same) fresh.shift();
    else last.remove();
  }
  container.append(...fresh);
  container.mdText = text;
  return true;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?/;
const LIST_ITEM = /^( *)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;
const MATH_OPEN = /^ {0,3}(\$\$|\\\[)/;

/**
 * Parses lines into block nodes, from line `from` on. Each node records where it came from (`mdLine`, its first
 * line, and `mdSource`, its lines) so renderMarkdownInto can tell which blocks changed.
 */
function blocks(lines, from = 0) {
  const out = [];
  let i = from;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") { i += 1; continue; }
    const start = i;
    const count = out.length;
    let m;
    if ((m = mathBlockAt(lines, i))) {
      out.push(m.node);
      i = m.next;
    } else if ((m = FENCE.exec(line))) {
      const fence = m[1];
      const body = [];
      i += 1;
      while (i < lines.length && !(lines[i].trim().startsWith(fence[0].repeat(fence.length)) && lines[i].trim().replace(new RegExp(`^\\${fence[0]}+`), "").trim() === "")) {
        body.push(lines[i]);
        i += 1;
      }
      i += 1; // the closing fence (or past the end while the answer is still streaming)
      out.push(codeBlock(body.join("\n"), m[2]));
    } else if ((m = HEADING.exec(line))) {
      out.push(h(`h${Math.min(m[1].length + 2, 6)}`, { class: "md-h" }, inline(m[2])));
      i += 1;
    } else if (RULE.test(line)) {
      out.push(h("hr"));
      i += 1;
    } else if (QUOTE.test(line)) {
      const body = [];
      while (i < lines.length && lines[i].trim() !== "" && QUOTE.test(lines[i])) {
        body.push(lines[i].replace(QUOTE, ""));
        i += 1;
      }
      out.push(h("blockquote", {}, blocks(body)));
    } else if (line.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes("-")) {
      const rows = [line, lines[i + 1]];
      i += 2;
      while (i < lines.length && lines[i].includes("|") && lines[i].trim() !== "") { rows.push(lines[i]); i += 1; }
      out.push(table(rows));
    } else if (LIST_ITEM.test(line)) {
      const parsed = list(lines, i);
      out.push(parsed.node);
      i = parsed.next;
    } else {
      const para = [];
      while (i < lines.length && lines[i].trim() !== "" && !startsBlock(lines, i)) { para.push(lines[i].trim()); i += 1; }
      if (para.length === 0) { para.push(line.trim()); i += 1; }
      const p = h("p");
      para.forEach((l, n) => { if (n > 0) p.append(h("br")); p.append(inline(l)); });
      out.push(p);
    }
    if (out.length > count) Object.assign(out[out.length - 1], { mdLine: start, mdSource: lines.slice(start, i).join("\n") });
  }
  return out;
}

function startsBlock(lines, i) {
  const line = lines[i];
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || LIST_ITEM.test(line) || RULE.test(line) ||
    (line.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]) && lines[i + 1].includes("-")) ||
    mathBlockAt(lines, i) !== null;
}

/**
 * Display math starting at line `i`: `$$…$$` or `\[…\]`, on one line or over several up to the line that ends
 * with the closing delimiter. A blank line or the end of the text before it means it is not (yet) a formula.
 */
function mathBlockAt(lines, i) {
  const m = MATH_OPEN.exec(lines[i]);
  if (!m) return null;
  const open = m[1];
  const close = open === "$$" ? "$$" : "\\]";
  const first = lines[i].trim().slice(open.length);
  const body = [];
  for (let j = i; j < lines.length; j += 1) {
    const line = j === i ? first : lines[j].trim();
    if (j > i && line === "") return null;
    const end = line.indexOf(close);
    if (end !== -1) {
      if (line.slice(end + close.length).trim() !== "") return null; // text after it: inline math in a paragraph
      body.push(line.slice(0, end));
      const tex = body.join("\n").trim();
      return tex === "" ? null : { node: mathNode(tex, true, open, close), next: j + 1 };
    }
    body.push(line);
  }
  return null;
}

/** A list starting at `start`: items are marker lines; more-indented or lazy lines belong to the item before. */
function list(lines, start) {
  const first = LIST_ITEM.exec(lines[start]);
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const node = ordered ? h("ol") : h("ul");
  if (ordered && parseInt(first[2], 10) !== 1) node.setAttribute("start", String(parseInt(first[2], 10)));
  let i = start;
  let item = null;
  const flush = () => {
    if (!item) return;
    const parsed = blocks(item);
    // A tight item (one paragraph) renders inline, without a <p> margin.
    if (parsed.length >= 1 && parsed[0].tagName === "P") node.lastChild.append(...parsed[0].childNodes, ...parsed.slice(1));
    else node.lastChild.append(...parsed);
  };
  while (i < lines.length) {
    const line = lines[i];
    const m = LIST_ITEM.exec(line);
    if (m && m[1].length <= indent + 1 && /\d/.test(m[2]) === ordered) {
      flush();
      node.append(h("li"));
      item = [m[3]];
      i += 1;
      continue;
    }
    if (m && m[1].length <= indent + 1) break; // a list of the other kind starts
    if (line.trim() === "") {
      // A blank line ends the list unless the next line is indented under the item.
      if (i + 1 < lines.length && /^\s{2,}/.test(lines[i + 1])) { item.push(""); i += 1; continue; }
      break;
    }
    if (/^\s{2,}/.test(line)) { item.push(line.replace(new RegExp(`^ {0,${indent + 4}}`), "")); i += 1; continue; }
    if (startsBlock(lines, i)) break;
    item.push(line.trim()); // lazy continuation
    i += 1;
  }
  flush();
  return { node, next: i };
}

function splitRow(row) {
  let r = row.trim();
  if (r.startsWith("|")) r = r.slice(1);
  if (r.endsWith("|") && !r.endsWith("\\|")) r = r.slice(0, -1);
  const cells = [];
  let cell = "";
  for (let i = 0; i < r.length; i += 1) {
    if (r[i] === "\\" && r[i + 1] === "|") { cell += "|"; i += 1; }
    else if (r[i] === "|") { cells.push(cell.trim()); cell = ""; }
    else cell += r[i];
  }
  cells.push(cell.trim());
  return cells;
}

function table(rows) {
  const head = splitRow(rows[0]);
  const aligns = splitRow(rows[1]).map((s) => (s.startsWith(":") && s.endsWith(":") ? "center" : s.endsWith(":") ? "right" : s.startsWith(":") ? "left" : null));
  const cell = (tag, text, n) => h(tag, aligns[n] ? { class: `al-${aligns[n]}` } : {}, inline(text));
  const thead = h("thead", {}, h("tr", {}, head.map((t, n) => cell("th", t, n))));
  const tbody = h("tbody", {}, rows.slice(2).map((r) => {
    const cells = splitRow(r);
    return h("tr", {}, head.map((_, n) => cell("td", cells[n] ?? "", n)));
  }));
  return h("div", { class: "table-wrap" }, h("table", {}, thead, tbody));
}

/** A fenced code block with its language, coloured when it is a known one, and a COPY button (the click is
 * handled by the transcript). */
function codeBlock(code, lang) {
  const element = h("code");
  highlightInto(element, code, lang);
  return h("div", { class: "code-block" },
    h("div", { class: "code-head" },
      h("span", { class: "label", text: lang ? lang.toUpperCase() : "CODE" }),
      h("button", { class: "btn small copy", type: "button", "aria-label": "Copy code", text: "COPY" })),
    h("pre", {}, element));
}

// ---- inline ----

const URL_RE = /^(https?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]}])/;

/** Parses inline Markdown of one line into a DocumentFragment; inside a link label (`links` false) no links. */
export function inline(text, links = true) {
  const frag = document.createDocumentFragment();
  let plain = "";
  const flushText = () => { if (plain) { frag.append(document.createTextNode(plain)); plain = ""; } };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const rest = text.slice(i);
    let m;
    if (c === "\\" && (text[i + 1] === "(" || text[i + 1] === "[") && (m = bracketMath(text, i))) {
      flushText();
      frag.append(mathNode(m.tex, m.display, m.open, m.close));
      i = m.end;
    } else if (c === "\\" && i + 1 < text.length && /[\\`*_{}[\]()#+\-.!|~<>$]/.test(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
    } else if (c === "`" && (m = /^(`+)([\s\S]*?[^`])\1(?!`)/.exec(rest))) {
      flushText();
      frag.append(h("code", { class: "inline", text: m[2].replace(/^ (.*) $/, "$1") }));
      i += m[0].length;
    } else if (c === "$" && (m = dollarMath(text, i))) {
      flushText();
      frag.append(mathNode(m.tex, m.display, m.open, m.close));
      i = m.end;
    } else if ((c === "*" || c === "_") && rest.startsWith(c + c) && (m = delimited(text, i, c + c))) {
      flushText();
      frag.append(h("strong", {}, inline(m.inner, links)));
      i = m.end;
    } else if (c === "~" && rest.startsWith("~~") && (m = delimited(text, i, "~~"))) {
      flushText();
      frag.append(h("del", {}, inline(m.inner, links)));
      i = m.end;
    } else if ((c === "*" || c === "_") && (m = delimited(text, i, c))) {
      flushText();
      frag.append(h("em", {}, inline(m.inner, links)));
      i = m.end;
    } else if (links && (c === "[" || (c === "!" && text[i + 1] === "[")) && (m = linkAt(text, c === "!" ? i + 1 : i))) {
      flushText();
      frag.append(link(m.label, m.href, c === "!"));
      i = m.end;
    } else if (links && c === "<" && (m = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/.exec(rest))) {
      flushText();
      frag.append(link(m[1], m[1], false));
      i += m[0].length;
    } else if (links && c === "h" && (i === 0 || /[\s(]/.test(text[i - 1])) && (m = URL_RE.exec(rest))) {
      flushText();
      frag.append(link(m[1], m[1], false));
      i += m[1].length;
    } else {
      plain += c;
      i += 1;
    }
  }
  flushText();
  return frag;
}

/** `\(…\)` (inline) or `\[…\]` (display) starting at `i`, on this line. */
function bracketMath(text, i) {
  const display = text[i + 1] === "[";
  const close = display ? "\\]" : "\\)";
  const end = text.indexOf(close, i + 2);
  if (end === -1 || text.slice(i + 2, end).trim() === "") return null;
  return { tex: text.slice(i + 2, end).trim(), display, open: text.slice(i, i + 2), close, end: end + 2 };
}

/**
 * `$$…$$` (display) or `$…$` (inline) starting at `i`. Like Pandoc, so prices stay text: an inline formula
 * starts with a non-space, its closing `$` follows a non-space and no digit follows it; and the next unescaped
 * `$` must be that closing one ("$5 and $10" is text).
 */
function dollarMath(text, i) {
  if (text[i + 1] === "$") {
    const end = text.indexOf("$$", i + 2);
    if (end === -1 || text.slice(i + 2, end).trim() === "") return null;
    return { tex: text.slice(i + 2, end).trim(), display: true, open: "$$", close: "$$", end: end + 2 };
  }
  if (i + 1 >= text.length || /\s/.test(text[i + 1])) return null;
  let j = i + 1;
  while (j < text.length && (text[j] !== "$" || text[j - 1] === "\\")) j += 1;
  if (j >= text.length || /\s/.test(text[j - 1]) || /\d/.test(text[j + 1] || "")) return null;
  return { tex: text.slice(i + 1, j), display: false, open: "$", close: "$", end: j + 1 };
}

/** Emphasis run `delim…delim` starting at `i`: not empty, not space-padded, `_` only at word boundaries. */
function delimited(text, i, delim) {
  const start = i + delim.length;
  if (start >= text.length || /\s/.test(text[start])) return null;
  if (delim[0] === "_" && i > 0 && /\w/.test(text[i - 1])) return null;
  let j = start;
  while ((j = text.indexOf(delim, j + 1)) !== -1) {
    if (/\s/.test(text[j - 1]) || text[j - 1] === "\\") continue;
    if (delim.length === 1 && text[j + 1] === delim) { j += 1; continue; }
    if (delim[0] === "_" && j + delim.length < text.length && /\w/.test(text[j + delim.length])) continue;
    return { inner: text.slice(start, j), end: j + delim.length };
  }
  return null;
}

/** `[label](href)` at `i` with balanced brackets/parentheses; an optional "title" is ignored. */
function linkAt(text, i) {
  let depth = 0;
  let j = i;
  for (; j < text.length; j += 1) {
    if (text[j] === "\\") { j += 1; continue; }
    if (text[j] === "[") depth += 1;
    else if (text[j] === "]") { depth -= 1; if (depth === 0) break; }
  }
  if (j >= text.length || text[j + 1] !== "(") return null;
  let k = j + 2;
  let paren = 1;
  for (; k < text.length; k += 1) {
    if (text[k] === "(") paren += 1;
    else if (text[k] === ")") { paren -= 1; if (paren === 0) break; }
  }
  if (k >= text.length) return null;
  const target = text.slice(j + 2, k).trim().replace(/\s+("[^"]*"|'[^']*')$/, "").replace(/^<(.*)>$/, "$1");
  return { label: text.slice(i + 1, j), href: target, end: k + 1 };
}

/**
 * A link if the target is http(s)/mailto (opening in a new tab without referrer or opener), else the label as
 * plain text followed by the refused target, so a `javascript:` link is visibly inert. Images never load: they
 * become links to the image, since fetching a model-chosen URL would leak the conversation to another origin.
 */
function link(label, href, image) {
  const url = safeUrl(href);
  const text = image ? `[image: ${label || href}]` : label;
  if (!url) return h("span", { class: "unsafe-link", title: "link not allowed: only http, https and mailto" }, inline(text, false), ` <${href}>`);
  return h("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, image ? text : inline(text, false));
}
