// LaTeX → MathML with KaTeX (katex.min.js, vendored from Debian's libjs-katex, loaded before the modules).
// KaTeX builds DOM nodes here (never an HTML string), with `trust: false` (no \href, \url, \includegraphics or
// \html… commands), strict (input LaTeX would refuse is shown as its source, except Unicode letters and symbols
// such as é, 日本 or ℝ, which models write and KaTeX renders as text) and bounded sizes and macro expansion.
// MathML output needs no stylesheet and no fonts: the browser lays it out with its math font.
// A formula that does not parse (or arrives half-streamed) is shown as its source text, never as an error box.

import { h } from "./dom.js";

const UNICODE_TEXT = new Set(["unicodeTextInMathMode", "unknownSymbol"]);
const OPTIONS = {
  output: "mathml", throwOnError: true, trust: false, maxSize: 20, maxExpand: 500,
  strict: (code) => (UNICODE_TEXT.has(code) ? "ignore" : "error"),
};
const MAX_TEX = 4000;
/** Rendered formulas by source, so re-rendering a streaming answer does not run KaTeX again for each formula. */
const cache = new Map();
const CACHE_MAX = 400;

/**
 * A formula element: `<span class="math">` (inline) or `<div class="math math-display">` holding KaTeX's
 * MathML, or the formula's source (with its delimiters, `open`/`close`) when it cannot be rendered.
 */
export function mathNode(tex, display, open, close) {
  const key = `${display ? "D" : "I"}${tex}`;
  const hit = cache.get(key);
  if (hit) return hit.cloneNode(true);
  const host = h(display ? "div" : "span", { class: display ? "math math-display" : "math" });
  const katex = globalThis.katex;
  let error = katex ? null : "KaTeX is not loaded";
  if (katex && tex.length <= MAX_TEX) {
    try {
      const tree = katex.__renderToDomTree(tex, { ...OPTIONS, displayMode: display });
      styleThroughCssom(tree);
      host.append(tree.toNode());
    } catch (err) {
      error = err && err.message ? String(err.message) : String(err);
    }
  } else if (katex) {
    error = `formula longer than ${MAX_TEX} characters`;
  }
  if (error !== null) {
    host.classList.add("math-source");
    host.title = error;
    host.append(`${open}${tex}${close}`);
  } else {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value);
    cache.set(key, host.cloneNode(true));
  }
  return host;
}

/**
 * A few KaTeX constructs (\fbox, \pmb) put a `style` attribute on a MathML node, which the page's CSP refuses
 * (style-src without 'unsafe-inline'). The same declarations set through the CSSOM are allowed, so each such
 * node of KaTeX's tree builds its element first and gets the style as `element.style.cssText`.
 */
function styleThroughCssom(node) {
  if (!node || typeof node !== "object") return;
  const attrs = node.attributes;
  if (attrs && Object.prototype.hasOwnProperty.call(attrs, "style")) {
    const css = String(attrs.style);
    delete attrs.style;
    const build = node.toNode.bind(node);
    node.toNode = () => {
      const el = build();
      el.style.cssText = css;
      return el;
    };
  }
  if (Array.isArray(node.children)) node.children.forEach(styleThroughCssom);
}
