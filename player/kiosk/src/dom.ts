// Small DOM helpers: element creation without a framework (the bundle stays small and the page simple).

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined | null> = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** A focusable element the D-pad can reach; `key` identifies it across re-renders to keep focus in place. */
export function focusable<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  key: string,
  attrs: Record<string, string | number | boolean | undefined | null> = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const cls = attrs.class ? `focusable ${attrs.class}` : 'focusable';
  return h(tag, { ...attrs, class: cls, tabindex: -1, 'data-key': key }, ...children);
}

export function progressBar(fraction: number, cls = ''): HTMLElement {
  const bar = h('div', { class: `progress ${cls}`.trim() });
  const fill = h('div', { class: 'progress-fill' });
  fill.style.width = `${Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 10}%`;
  bar.append(fill);
  return bar;
}

/** Replaces an element's children, skipping the null/false placeholders conditional content leaves. */
export function setChildren(el: HTMLElement, ...children: Array<Child | Child[]>): void {
  el.replaceChildren(...(children.flat().filter((c) => c !== null && c !== undefined && c !== false) as Array<Node | string>));
}
