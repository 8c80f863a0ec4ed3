// Code colouring with highlight.js (highlight.min.js, vendored from Debian's libjs-highlight.js with the
// languages the UI needs, loaded before the modules). highlight.js returns its result as HTML text: the code's
// own characters escaped (&amp; &lt; &gt;) and spans with classes around tokens. That string is never given to
// the HTML parser: `tokens` reads exactly that grammar and builds the nodes with createElement/textContent;
// anything else in it (which escaped input cannot produce) makes the block plain text. Only a fence that names a
// known language is coloured: no guessing, which is slow and often wrong.

const MAX_CODE = 100_000;
/** Fence words highlight.js 9 does not know (it knows py, js, ts, sh, c, html, toml, yml, console, …). */
const ALIASES = { latex: "tex" };
const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', "#x27": "'", "#39": "'" };
const TOKEN = /<span class="([\w -]{1,60})">|<\/span>|&(amp|lt|gt|quot|#x27|#39);|[^<&]+/y;

let configured = false;

/** The highlight.js language name (not an alias: "js" → "javascript") for a fence's info word, or null. */
function languageOf(lang) {
  const hljs = globalThis.hljs;
  if (!hljs || !lang) return null;
  const word = lang.toLowerCase();
  const grammar = hljs.getLanguage(ALIASES[word] || word);
  return grammar ? hljs.listLanguages().find((name) => hljs.getLanguage(name) === grammar) || null : null;
}

/**
 * Fills the `<code>` element `code` with `text` coloured as `lang` (spans with hljs-* classes), or with the
 * plain text when the language is unknown, the code is very long, or highlight.js fails. Returns whether it
 * coloured anything.
 */
export function highlightInto(code, text, lang) {
  const name = languageOf(lang);
  if (name && text.length <= MAX_CODE) {
    const hljs = globalThis.hljs;
    if (!configured) {
      // Debian keeps version 9 up to date; without this it logs upstream's end-of-life notice once per page.
      hljs.configure({ hideUpgradeWarningAcceptNoSupportOrSecurityUpdates: true, classPrefix: "hljs-" });
      configured = true;
    }
    try {
      const nodes = tokens(hljs.highlight(name, text, true).value);
      if (nodes && nodes.textContent === text) {
        code.replaceChildren(nodes);
        code.classList.add("hljs", `lang-${name}`);
        return true;
      }
    } catch {
      // fall through to plain text
    }
  }
  code.textContent = text;
  return false;
}

/** highlight.js's markup → a DocumentFragment, or null when it holds anything but spans and the five entities. */
function tokens(markup) {
  const root = document.createDocumentFragment();
  const stack = [root];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < markup.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(markup);
    if (!m || m.index !== at) return null;
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) {
      const span = document.createElement("span");
      span.className = m[1];
      top.append(span);
      stack.push(span);
    } else if (m[0] === "</span>") {
      if (stack.length === 1) return null;
      stack.pop();
    } else if (m[2] !== undefined) {
      top.append(ENTITIES[m[2]]);
    } else {
      top.append(m[0]);
    }
  }
  return stack.length === 1 ? root : null;
}
