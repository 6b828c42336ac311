// Search with a remote: pick characters from a grid (those in the titles still matching, so every pick
// narrows the list), digits and letters, and see the matching lectures beside it. With nothing found,
// the member can ask for the topic to be broadcast.
import type { App, Screen } from '../app.ts';
import type { CatalogItem } from '../api.ts';
import { focusable, h } from '../dom.ts';
import { formatDuration } from '../format.ts';
import type { Command } from '../keys.ts';
import { characterGrid, filterItems, KEYPAD } from '../search.ts';
import { holdingBadge } from './cards.ts';

const MAX_RESULTS = 40;

export class SearchScreen implements Screen {
  readonly el = h('section', { class: 'screen search', 'data-screen': 'search' });
  readonly mode = 'page' as const;
  private query = '';

  constructor(
    private readonly app: App,
    private readonly openLecture: (item: CatalogItem) => void,
    private readonly askTopic: (topic: string) => void,
  ) {
    app.wantCatalog(true);
    this.refresh();
  }

  private key(key: string, label: string, onClick: () => void, cls = 'key'): HTMLElement {
    const b = focusable('button', key, { class: cls }, label);
    b.addEventListener('click', onClick);
    return b;
  }

  private type(text: string): void {
    this.update(this.query + text);
  }

  private erase(all: boolean): void {
    this.update(all ? '' : Array.from(this.query).slice(0, -1).join(''));
  }

  /** New query: redraw, keeping focus on the same key, or on the first character when that key is gone. */
  private update(query: string): void {
    const key = (document.activeElement as HTMLElement | null)?.dataset.key;
    this.query = query;
    this.refresh();
    const still = key ? this.el.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
    const firstChar = this.el.querySelector<HTMLElement>('.keys-chars .focusable');
    this.app.restoreFocus(still ? key : firstChar?.dataset.key);
  }

  onCommand(cmd: Command): boolean {
    // Digits on the remote type digits here (episode numbers, member numbers in titles), not channels.
    if (cmd.kind === 'digit') {
      this.type(String(cmd.digit));
      return true;
    }
    return false;
  }

  refresh(): void {
    const app = this.app;
    const results = filterItems(app.catalog.items, this.query);
    const chars = characterGrid(app.catalog.items, this.query);
    const resultRows = results.slice(0, MAX_RESULTS).map((item) => {
      const row = focusable(
        'button',
        `res:${item.id}`,
        { class: 'result-row', 'data-program': item.id, 'data-testid': 'result' },
        h('div', { class: 'result-title' }, item.title),
        h('div', { class: 'result-meta' }, [item.lecturer, formatDuration(item.duration)].filter(Boolean).join(' · ')),
        holdingBadge(app, item),
      );
      row.addEventListener('click', () => this.openLecture(item));
      return row;
    });
    const none = this.query
      ? [
          h('div', { class: 'empty' }, app.tr('searchEmpty')),
          this.key('ask-topic', `${app.tr('askTopic')}：${this.query}`, () => this.askTopic(this.query), 'action'),
        ]
      : [];
    this.el.replaceChildren(
      h(
        'div',
        { class: 'search-head' },
        h('h1', {}, app.tr('search')),
        h('div', { class: 'search-query', 'data-testid': 'query' }, this.query || ' '),
        h('div', { class: 'search-count' }, app.tr('results', { n: results.length })),
      ),
      h(
        'div',
        { class: 'search-layout' },
        h(
          'div',
          { class: 'keyboard' },
          h('div', { class: 'hint' }, app.tr('searchPrompt')),
          h(
            'div',
            { class: 'keys keys-actions' },
            this.key('k:space', app.tr('space'), () => this.type(' '), 'key key-wide'),
            this.key('k:del', app.tr('del'), () => this.erase(false), 'key key-wide'),
            this.key('k:clear', app.tr('clear'), () => this.erase(true), 'key key-wide'),
          ),
          h(
            'div',
            { class: 'keys keys-chars', 'data-testid': 'chars' },
            chars.map((ch) => this.key(`k:${ch}`, ch, () => this.type(ch))),
          ),
          h(
            'div',
            { class: 'keys keys-alnum' },
            KEYPAD.map((ch) => this.key(`k:${ch}`, ch.toUpperCase(), () => this.type(ch))),
          ),
        ),
        h('div', { class: 'results' }, resultRows.length ? resultRows : none),
      ),
    );
  }

  destroy(): void {}
}
