// DOM helpers. The whole UI is built with createElement + textContent: no string of HTML is ever parsed, so
// text from a model, a title or an error message can never become markup (and the strict CSP holds).

/**
 * Creates an element. `attrs`: `class`, `text`, `on<Event>` handlers, `dataset` object, boolean `hidden`, or any
 * attribute set with setAttribute. Children are nodes or strings (strings become text nodes).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** The same for SVG elements (the spend chart). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Removes every child of `el`. */
export function clear(el) {
  el.replaceChildren();
  return el;
}

export const $ = (id) => document.getElementById(id);

/** Whether the reader's selection (a non-empty one) includes part of `node`: such a node must not be replaced. */
export function selectionTouches(node) {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || !node.isConnected) return false;
  for (let n = 0; n < selection.rangeCount; n += 1) if (selection.getRangeAt(n).intersectsNode(node)) return true;
  return false;
}
