// A lecture as the lists show it: poster, title, lecturer, length, and whether this site holds it.
import type { App } from '../app.ts';
import type { CatalogItem } from '../api.ts';
import { focusable, h, progressBar } from '../dom.ts';
import { formatDuration } from '../format.ts';

/** "Downloaded", "Downloading 40%" with a bar, or "Streams online" / "not offline". */
export function holdingBadge(app: App, item: CatalogItem): HTMLElement {
  if (item.held) return h('div', { class: 'badge badge-held', 'data-testid': 'held' }, `✓ ${app.tr('held')}`);
  if (item.download) {
    const p = Math.round(Math.min(1, Math.max(0, item.download.progress)) * 100);
    return h(
      'div',
      { class: 'badge badge-downloading', 'data-testid': 'downloading' },
      p > 0 ? app.tr('downloading', { p }) : app.tr('queued'),
      progressBar(item.download.progress, 'thin'),
    );
  }
  return h('div', { class: 'badge badge-stream' }, app.online ? app.tr('streamOnly') : app.tr('notOffline'));
}

export function poster(item: CatalogItem, cls = 'poster'): HTMLElement {
  const box = h('div', { class: cls });
  // The first character on a coloured card stands in until (or instead of) a poster image.
  box.append(h('span', { class: 'poster-letter' }, Array.from(item.title)[0] ?? '?'));
  if (item.poster) {
    const img = h('img', { src: item.poster, alt: '', loading: 'lazy' });
    img.addEventListener('error', () => img.remove());
    box.append(img);
  }
  return box;
}

export function lectureCard(app: App, item: CatalogItem, onOpen: (item: CatalogItem) => void): HTMLElement {
  const card = focusable(
    'button',
    `lec:${item.id}`,
    { class: 'card', 'data-program': item.id, 'data-testid': 'lecture' },
    poster(item),
    h('div', { class: 'card-title' }, item.title),
    h(
      'div',
      { class: 'card-meta' },
      [item.lecturer, item.episode ? app.tr('episode', { n: item.episode }) : '', formatDuration(item.duration)]
        .filter(Boolean)
        .join(' · '),
    ),
    holdingBadge(app, item),
  );
  card.addEventListener('click', () => onOpen(item));
  return card;
}
