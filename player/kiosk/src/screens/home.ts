// Home: every channel with what is on now (with progress) and next, the way into on-demand, the
// language switch. The header (site name, clock, offline indicator) belongs to the app shell.
import type { App, Screen } from '../app.ts';
import type { LocalChannel } from '../api.ts';
import { focusable, h, progressBar } from '../dom.ts';
import { formatRange, formatTime, progressFraction } from '../format.ts';

export class HomeScreen implements Screen {
  readonly el = h('section', { class: 'screen home', 'data-screen': 'home' });
  readonly mode = 'page' as const;
  private timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly app: App,
    private readonly openOnDemand: () => void,
    private readonly openQuestionnaires: () => void = () => undefined,
  ) {
    this.refresh();
    // Progress bars creep and programmes change; the agent's list is re-read by the app every 10 s.
    this.timer = setInterval(() => {
      if (!this.el.hidden) {
        this.refresh();
        this.app.restoreFocus();
      }
    }, 15_000);
  }

  private channelRow(c: LocalChannel): HTMLElement {
    const app = this.app;
    const now = Date.now();
    const row = focusable(
      'button',
      `ch:${c.id}`,
      { class: 'channel-row', 'data-channel': c.id, 'data-testid': 'channel-row' },
      h('div', { class: 'channel-no' }, String(c.number)),
      h(
        'div',
        { class: 'channel-body' },
        h('div', { class: 'channel-name' }, c.name),
        c.now
          ? h(
              'div',
              { class: 'channel-now' },
              h('span', { class: 'label' }, app.tr('nowOn')),
              h('span', { class: 'title' }, c.now.title),
              h('span', { class: 'time' }, formatRange(c.now.start, c.now.end, app.tz, app.lang)),
            )
          : h('div', { class: 'channel-now muted' }, app.tr('nothingOn')),
        c.now ? progressBar(progressFraction(now, c.now.start, c.now.end)) : null,
        c.next
          ? h(
              'div',
              { class: 'channel-next' },
              h('span', { class: 'label' }, app.tr('next')),
              h('span', { class: 'time' }, formatTime(c.next.start, app.tz, app.lang)),
              h('span', { class: 'title' }, c.next.title),
            )
          : null,
      ),
    );
    row.addEventListener('click', () => app.openChannel(c.id));
    return row;
  }

  refresh(): void {
    const app = this.app;
    const channels = app.channels.length
      ? app.channels.map((c) => this.channelRow(c))
      : [h('div', { class: 'empty' }, app.tr('noChannels'))];
    const onDemand = focusable(
      'button',
      'ondemand',
      { class: 'tile tile-ondemand', 'data-testid': 'ondemand' },
      h('div', { class: 'tile-title' }, app.tr('onDemand')),
      h('div', { class: 'tile-sub' }, app.tr('onDemandHint')),
    );
    onDemand.addEventListener('click', () => this.openOnDemand());
    const lang = focusable(
      'button',
      'lang',
      { class: 'tile tile-lang', 'data-testid': 'lang' },
      h('div', { class: 'tile-title' }, app.tr('language')),
      h('div', { class: 'tile-sub' }, app.tr('languageHint')),
    );
    lang.addEventListener('click', () => app.toggleLang());
    const questionnaires = focusable(
      'button',
      'questionnaires',
      { class: 'tile tile-questionnaires', 'data-testid': 'questionnaires' },
      h('div', { class: 'tile-title' }, app.tr('qMenu')),
      h('div', { class: 'tile-sub' }, app.tr('qMenuHint')),
    );
    questionnaires.addEventListener('click', () => this.openQuestionnaires());
    this.el.replaceChildren(
      h('div', { class: 'home-channels' }, h('h1', {}, app.tr('channels')), h('div', { class: 'channel-list' }, channels)),
      h('div', { class: 'home-side' }, onDemand, lang, questionnaires),
    );
  }

  destroy(): void {
    clearInterval(this.timer);
  }
}
