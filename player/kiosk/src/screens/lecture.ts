// One lecture: what it is, whether this site holds it, and what the member can do: play (or resume),
// download it to the site, ask for it to be broadcast.
import type { App, Screen } from '../app.ts';
import { api, type CatalogItem } from '../api.ts';
import { focusable, h } from '../dom.ts';
import { formatDuration } from '../format.ts';
import { resumeStart } from '../resume.ts';
import { holdingBadge, poster } from './cards.ts';

export interface LectureActions {
  play(item: CatalogItem, from: number): void;
  ask(request: { programId?: number; topic?: string }): void;
}

export class LectureScreen implements Screen {
  readonly el = h('section', { class: 'screen lecture', 'data-screen': 'lecture' });
  readonly mode = 'page' as const;

  constructor(
    private readonly app: App,
    private readonly programId: number,
    private readonly actions: LectureActions,
  ) {
    app.wantCatalog(true);
    this.refresh();
  }

  private item(): CatalogItem | undefined {
    return this.app.catalog.items.find((i) => i.id === this.programId);
  }

  private button(key: string, label: string, onClick: () => void): HTMLElement {
    const b = focusable('button', key, { class: 'action', 'data-testid': key }, label);
    b.addEventListener('click', onClick);
    return b;
  }

  /** Play: a lecture not held streams (when online) and is queued for download at the same time. */
  private play(item: CatalogItem, from: number): void {
    const app = this.app;
    if (!item.held) {
      if (!item.download) {
        api.download(item.id).then(
          () => void app.pollCatalog(),
          () => undefined,
        );
      }
      if (!app.online) {
        app.toast(`${app.tr('notOffline')} · ${app.tr('downloadQueued')}`);
        return;
      }
    }
    this.actions.play(item, from);
  }

  private download(item: CatalogItem): void {
    const app = this.app;
    api.download(item.id).then(
      () => {
        app.toast(app.tr('downloadQueued'));
        void app.pollCatalog();
      },
      () => app.toast(app.tr('requestFailed')),
    );
  }

  refresh(): void {
    const app = this.app;
    const item = this.item();
    if (!item) {
      this.el.replaceChildren(h('div', { class: 'empty' }, app.tr('loading')));
      return;
    }
    const start = resumeStart(app.resume.get(item.id), item.duration);
    const buttons: HTMLElement[] = [];
    if (start > 0) {
      buttons.push(this.button('resume', app.tr('resumeFrom', { t: formatDuration(start) }), () => this.play(item, start)));
      buttons.push(this.button('play', app.tr('playFromStart'), () => this.play(item, 0)));
    } else {
      buttons.push(this.button('play', app.tr('play'), () => this.play(item, 0)));
    }
    if (!item.held && !item.download) buttons.push(this.button('download', app.tr('download'), () => this.download(item)));
    buttons.push(this.button('ask', app.tr('askBroadcast'), () => this.actions.ask({ programId: item.id })));
    this.el.replaceChildren(
      h(
        'div',
        { class: 'lecture-layout' },
        poster(item, 'poster poster-large'),
        h(
          'div',
          { class: 'lecture-info' },
          h('h1', { 'data-testid': 'lecture-title' }, item.title),
          item.seriesTitle
            ? h(
                'div',
                { class: 'lecture-series' },
                [item.seriesTitle, item.episode ? app.tr('episode', { n: item.episode }) : ''].filter(Boolean).join(' · '),
              )
            : null,
          h(
            'div',
            { class: 'lecture-meta' },
            [item.lecturer ? app.tr('lecturer', { name: item.lecturer }) : '', app.tr('duration', { d: formatDuration(item.duration) })]
              .filter(Boolean)
              .join(' · '),
          ),
          holdingBadge(app, item),
          h('p', { class: 'lecture-desc' }, item.description),
          h('div', { class: 'actions' }, buttons),
        ),
      ),
    );
  }

  destroy(): void {}
}
