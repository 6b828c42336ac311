// On-demand: categories and series down the left, the lectures of the chosen one as a grid of cards.
// Moving onto a category shows its lectures at once, as TV menus do; Search opens the on-screen keypad.
import type { App, Screen } from '../app.ts';
import type { CatalogItem } from '../api.ts';
import { focusable, h, setChildren } from '../dom.ts';
import { lectureCard } from './cards.ts';

type Filter = { kind: 'all' } | { kind: 'category'; id: string } | { kind: 'series'; id: number };

function filterKey(f: Filter): string {
  return f.kind === 'all' ? 'f:all' : f.kind === 'category' ? `f:c:${f.id}` : `f:s:${f.id}`;
}

export function itemsFor(items: readonly CatalogItem[], f: Filter): CatalogItem[] {
  if (f.kind === 'all') return [...items];
  if (f.kind === 'category') return items.filter((i) => i.category === f.id);
  return items.filter((i) => i.seriesId === f.id).sort((a, b) => (a.episode ?? 0) - (b.episode ?? 0));
}

export class OnDemandScreen implements Screen {
  readonly el = h('section', { class: 'screen ondemand', 'data-screen': 'ondemand' });
  readonly mode = 'page' as const;
  private filter: Filter = { kind: 'all' };
  private readonly nav = h('nav', { class: 'od-nav' });
  private readonly grid = h('div', { class: 'od-grid', 'data-testid': 'lectures' });

  constructor(
    private readonly app: App,
    private readonly openLecture: (item: CatalogItem) => void,
    private readonly openSearch: () => void,
  ) {
    this.el.append(h('div', { class: 'od-layout' }, this.nav, this.grid));
    app.wantCatalog(true);
    this.refresh();
  }

  private navButton(f: Filter, label: string, count: number): HTMLElement {
    const b = focusable(
      'button',
      filterKey(f),
      { class: `nav-item${filterKey(f) === filterKey(this.filter) ? ' selected' : ''}` },
      h('span', {}, label),
      h('span', { class: 'count' }, String(count)),
    );
    b.dataset.filter = JSON.stringify(f);
    b.addEventListener('click', () => this.choose(f));
    return b;
  }

  private choose(f: Filter): void {
    if (filterKey(f) === filterKey(this.filter)) return;
    this.filter = f;
    for (const el of this.nav.querySelectorAll<HTMLElement>('.nav-item')) {
      el.classList.toggle('selected', el.dataset.key === filterKey(f));
    }
    this.renderGrid();
  }

  onFocus(el: HTMLElement): void {
    if (el.dataset.filter) this.choose(JSON.parse(el.dataset.filter) as Filter);
  }

  refresh(): void {
    const app = this.app;
    const { categories, series, items } = app.catalog;
    const search = focusable('button', 'search', { class: 'nav-item nav-search', 'data-testid': 'search' }, app.tr('search'));
    search.addEventListener('click', () => this.openSearch());
    const cats = categories
      .map((c) => ({ c, n: items.filter((i) => i.category === c.id).length }))
      .filter(({ n }) => n > 0)
      .map(({ c, n }) => this.navButton({ kind: 'category', id: c.id }, app.lang === 'zh' ? c.zh : c.en, n));
    const sers = series
      .map((s) => ({ s, n: items.filter((i) => i.seriesId === s.id).length }))
      .filter(({ n }) => n > 0)
      .map(({ s, n }) => this.navButton({ kind: 'series', id: s.id }, s.title, n));
    setChildren(
      this.nav,
      h('h1', {}, app.tr('onDemand')),
      search,
      this.navButton({ kind: 'all' }, app.tr('all'), items.length),
      cats.length ? h('h2', {}, app.tr('categories')) : null,
      ...cats,
      sers.length ? h('h2', {}, app.tr('series')) : null,
      ...sers,
    );
    this.renderGrid();
  }

  private renderGrid(): void {
    const items = itemsFor(this.app.catalog.items, this.filter);
    this.grid.replaceChildren(
      ...(items.length
        ? items.map((item) => lectureCard(this.app, item, this.openLecture))
        : [h('div', { class: 'empty' }, this.app.catalog.items.length ? this.app.tr('searchEmpty') : this.app.tr('loading'))]),
    );
  }

  onShow(): void {
    this.app.wantCatalog(true);
  }

  destroy(): void {
    this.app.wantCatalog(false);
  }
}
