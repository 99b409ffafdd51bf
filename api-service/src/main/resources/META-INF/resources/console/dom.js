// Building the page: an element with attributes and children; text is always set as text, never parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'text') el.textContent = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const when = (iso) => (iso ? new Date(iso).toLocaleString() : '');

export const statusText = (s) => h('span', { class: `status status-${s}` }, s);

/** JSON shown as preformatted text. */
export const json = (value) => h('pre', { class: 'json' }, value === undefined ? '—' : JSON.stringify(value, null, 2));
