// The kiosk shell: a stack of screens (Back pops), the D-pad focus over the top screen, the data polled
// from the agent, the clock, the offline indicator and short on-screen messages.
import { api, type Catalog, type LocalChannel, type LocalQuestionnaire, type LocalStatus } from './api.ts';
import { h } from './dom.ts';
import { nextFocus, type Box } from './focus.ts';
import { formatDate, formatTime } from './format.ts';
import { langTag, loadLang, otherLang, saveLang, t, type Lang, type MessageKey } from './i18n.ts';
import { commandForKey, DigitEntry, numberIsComplete, type Command } from './keys.ts';
import { ResumeStore } from './resume.ts';
import { quizAfterItem, quizOfProgram, type SeenOnAir } from './quiz-offer.ts';

export interface Screen {
  /** The screen's root element; the app mounts it. */
  readonly el: HTMLElement;
  /** Class on <body> while this screen is on top (e.g. 'fullscreen' hides the header). */
  readonly mode?: 'fullscreen' | 'page';
  /** Handles a command first; returns true when it did. */
  onCommand?(cmd: Command): boolean;
  /** Fresh data from the agent (status, channels, catalog) or a language change: redraw. */
  refresh?(): void;
  /** The D-pad moved focus onto `el`. */
  onFocus?(el: HTMLElement): void;
  /** Covered by another screen or uncovered. */
  onHide?(): void;
  onShow?(): void;
  destroy(): void;
}

const STATUS_POLL_MS = 10_000;
const CATALOG_POLL_MS = 5_000;
/** A quiz offered in the corner waits this long for OK. */
const OFFER_MS = 60_000;

export class App {
  lang: Lang;
  status: LocalStatus | null = null;
  channels: LocalChannel[] = [];
  catalog: Catalog = { categories: [], series: [], items: [] };
  /** Surveys and quizzes that reached the site. */
  questionnaires: LocalQuestionnaire[] = [];
  agentReachable = true;
  /** The channel last watched: where a failed lecture falls back to and where channel up/down starts. */
  lastChannelId: number | null = null;
  readonly resume = new ResumeStore(window.localStorage);

  private readonly stack: Screen[] = [];
  private readonly root: HTMLElement;
  private readonly header: HTMLElement;
  private readonly toastEl: HTMLElement;
  private readonly digitsEl: HTMLElement;
  private readonly offerEl: HTMLElement;
  private offerAction: (() => void) | null = null;
  private offerTimer: ReturnType<typeof setTimeout> | null = null;
  /** Airings whose quiz was offered already (channel:program:start). */
  private readonly offered = new Set<string>();
  /** The item on air at the last channel poll, while a channel is on screen (null otherwise). */
  private seenOnAir: SeenOnAir | null = null;
  private questionnairesText = '';
  private toastTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly digits = new DigitEntry();
  private digitTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly focusKeys = new WeakMap<Screen, string>();
  private catalogWanted = false;
  // Last bodies seen, so an unchanged poll does not redraw the screen under the viewer's focus.
  private channelsText = '';
  private catalogText = '';
  private catalogTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set by main.ts: opens a channel's broadcast screen. */
  openChannel: (channelId: number) => void = () => undefined;
  /** Set by main.ts: opens a survey or quiz form. */
  openQuestionnaire: (q: LocalQuestionnaire) => void = () => undefined;

  constructor(mount: HTMLElement) {
    this.lang = loadLang(window.localStorage);
    this.header = h('header', { class: 'topbar' });
    this.root = h('main', { class: 'screens' });
    this.toastEl = h('div', { class: 'toast', role: 'status' });
    this.digitsEl = h('div', { class: 'digits' });
    this.offerEl = h('div', { class: 'offer', role: 'status', 'data-testid': 'quiz-offer' });
    mount.append(this.header, this.root, this.toastEl, this.digitsEl, this.offerEl);
    document.documentElement.lang = langTag(this.lang);
    window.addEventListener('keydown', (e) => this.onKeyDown(e));
    window.addEventListener('online', () => void this.pollStatus());
    window.addEventListener('offline', () => this.renderHeader());
    setInterval(() => this.tick(), 1000);
  }

  tr(key: MessageKey, params?: Record<string, string | number>): string {
    return t(this.lang, key, params);
  }

  get tz(): string {
    return this.status?.provinceTz ?? 'Asia/Shanghai';
  }

  /** Online as far as the TV can tell: the agent reaches the server and the PC has a link. */
  get online(): boolean {
    return this.agentReachable && (this.status?.online ?? false) && navigator.onLine;
  }

  /** The viewer's choice: remembered on this TV. */
  setLang(lang: Lang): void {
    saveLang(window.localStorage, lang);
    this.applyLang(lang);
  }

  private applyLang(lang: Lang): void {
    this.lang = lang;
    document.documentElement.lang = langTag(lang);
    this.renderHeader();
    this.top()?.refresh?.();
    this.restoreFocus();
  }

  toggleLang(): void {
    this.setLang(otherLang(this.lang));
  }

  // ---- data -------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    await Promise.all([this.pollStatus(), this.pollChannels(), this.pollQuestionnaires()]);
    setInterval(() => void this.pollStatus(), STATUS_POLL_MS);
    setInterval(() => void this.pollChannels(), STATUS_POLL_MS);
    setInterval(() => void this.pollQuestionnaires(), STATUS_POLL_MS);
  }

  private async pollStatus(): Promise<void> {
    const wasOnline = this.online;
    try {
      this.status = await api.status();
      this.agentReachable = true;
      // Until someone picks a language on this TV, follow the site's default.
      const lang = loadLang(window.localStorage, this.status.lang);
      if (lang !== this.lang) this.applyLang(lang);
    } catch {
      this.agentReachable = false;
    }
    this.renderHeader();
    // Lists say "streams online" or "not downloaded" depending on the link: redraw when it changes.
    if (this.online !== wasOnline) {
      this.top()?.refresh?.();
      this.restoreFocus();
    }
  }

  async pollChannels(): Promise<void> {
    try {
      const channels = (await api.channels()).sort((a, b) => a.number - b.number);
      this.agentReachable = true;
      const text = JSON.stringify(channels);
      if (text !== this.channelsText) {
        this.channelsText = text;
        this.channels = channels;
        this.top()?.refresh?.();
        this.restoreFocus();
      }
      this.offerQuizAfterItem();
    } catch {
      this.agentReachable = false;
      this.renderHeader();
    }
  }

  async pollQuestionnaires(): Promise<void> {
    try {
      const list = await api.questionnaires();
      const text = JSON.stringify(list);
      if (text === this.questionnairesText) return;
      this.questionnairesText = text;
      this.questionnaires = list;
      if (this.top()?.el.dataset.screen === 'questionnaires') {
        this.top()?.refresh?.();
        this.restoreFocus();
      }
    } catch {
      /* the status poll reports an unreachable agent */
    }
  }

  // ---- quizzes offered in the corner -------------------------------------------------------------------

  /** Offers `quiz` in the corner; OK (and only OK) opens it while it shows. Nothing else is interrupted. */
  private offer(quiz: LocalQuestionnaire, airing?: string): void {
    this.offerEl.textContent = this.tr('qOffer', { title: quiz.title });
    this.offerEl.dataset.questionnaire = String(quiz.id);
    if (airing) this.offerEl.dataset.airing = airing;
    else delete this.offerEl.dataset.airing;
    this.offerEl.classList.add('shown');
    this.offerAction = () => this.openQuestionnaire(quiz);
    if (this.offerTimer) clearTimeout(this.offerTimer);
    this.offerTimer = setTimeout(() => this.clearOffer(), OFFER_MS);
  }

  clearOffer(): void {
    this.offerEl.classList.remove('shown');
    this.offerAction = null;
    if (this.offerTimer) clearTimeout(this.offerTimer);
    this.offerTimer = null;
  }

  /** A lecture played to its end: its quiz, if it has one, is offered. */
  offerQuizAfterLecture(programId: number): void {
    const quiz = quizOfProgram(this.questionnaires, programId);
    if (quiz) this.offer(quiz);
  }

  /**
   * On a channel, once the item seen on air at an earlier poll has gone off air, its quiz is offered (once per
   * airing). An offer already showing is not replaced under the viewer's finger: OK opens what the corner says.
   */
  private offerQuizAfterItem(): void {
    const channel = this.top()?.el.dataset.screen === 'broadcast' ? this.channels.find((c) => c.id === this.lastChannelId) : undefined;
    const seen = this.seenOnAir;
    this.seenOnAir = channel?.now ? { channelId: channel.id, item: channel.now } : null;
    if (!channel || seen?.channelId !== channel.id || this.offerAction) return;
    const due = quizAfterItem(seen, this.questionnaires, Date.now(), this.offered);
    if (!due) return;
    this.offered.add(due.key);
    this.offer(due.quiz, due.key);
  }

  /** On-demand screens want the catalog (and download progress) kept fresh while they are open. */
  wantCatalog(on: boolean): void {
    this.catalogWanted = on;
    if (on && !this.catalogTimer) void this.pollCatalog();
  }

  async pollCatalog(): Promise<void> {
    if (this.catalogTimer) clearTimeout(this.catalogTimer);
    this.catalogTimer = null;
    try {
      const catalog = await api.catalog();
      this.agentReachable = true;
      const text = JSON.stringify(catalog);
      if (text !== this.catalogText) {
        this.catalogText = text;
        this.catalog = catalog;
        this.top()?.refresh?.();
        this.restoreFocus();
      }
    } catch {
      this.agentReachable = false;
      this.renderHeader();
    }
    if (this.catalogWanted) this.catalogTimer = setTimeout(() => void this.pollCatalog(), CATALOG_POLL_MS);
  }

  // ---- screens ----------------------------------------------------------------------------------------

  top(): Screen | undefined {
    return this.stack[this.stack.length - 1];
  }

  push(screen: Screen): void {
    const prev = this.top();
    if (prev) {
      this.rememberFocus(prev);
      prev.onHide?.();
      prev.el.hidden = true;
    }
    this.stack.push(screen);
    this.root.append(screen.el);
    this.applyMode();
    screen.onShow?.();
    this.restoreFocus();
  }

  pop(): void {
    if (this.stack.length <= 1) return;
    const gone = this.stack.pop()!;
    gone.destroy();
    gone.el.remove();
    const top = this.top()!;
    top.el.hidden = false;
    this.applyMode();
    top.refresh?.();
    top.onShow?.();
    this.restoreFocus();
  }

  /** Replaces the top screen (a lecture that failed gives way to the channel). */
  replace(screen: Screen): void {
    const gone = this.stack.pop();
    if (gone) {
      gone.destroy();
      gone.el.remove();
    }
    this.stack.push(screen);
    this.root.append(screen.el);
    this.applyMode();
    screen.onShow?.();
    this.restoreFocus();
  }

  /** Back to the home screen, optionally with a message. */
  goHome(message?: string): void {
    while (this.stack.length > 1) this.pop();
    if (message) this.toast(message);
  }

  private applyMode(): void {
    document.body.classList.toggle('fullscreen', this.top()?.mode === 'fullscreen');
    this.renderHeader();
  }

  // ---- focus ------------------------------------------------------------------------------------------

  private focusables(screen: Screen): HTMLElement[] {
    return Array.from(screen.el.querySelectorAll<HTMLElement>('.focusable')).filter(
      (el) => !el.closest('[hidden]') && el.getClientRects().length > 0,
    );
  }

  private rememberFocus(screen: Screen): void {
    const active = document.activeElement as HTMLElement | null;
    const key = active && screen.el.contains(active) ? active.dataset.key : undefined;
    if (key) this.focusKeys.set(screen, key);
  }

  /** Focus `key` on the top screen if present, else what was focused before, else the first item. */
  restoreFocus(key?: string): void {
    const screen = this.top();
    if (!screen) return;
    const items = this.focusables(screen);
    const active = document.activeElement as HTMLElement | null;
    if (!key && active && items.includes(active)) return;
    const wanted = key ?? this.focusKeys.get(screen);
    const target = items.find((el) => el.dataset.key === wanted) ?? items[0];
    if (target) this.focus(screen, target);
    else if (active && active !== document.body) active.blur();
  }

  private focus(screen: Screen, el: HTMLElement): void {
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    if (el.dataset.key) this.focusKeys.set(screen, el.dataset.key);
    screen.onFocus?.(el);
  }

  private move(screen: Screen, dir: 'up' | 'down' | 'left' | 'right'): void {
    const items = this.focusables(screen);
    if (items.length === 0) return;
    const from = items.indexOf(document.activeElement as HTMLElement);
    if (from < 0) {
      this.focus(screen, items[0]!);
      return;
    }
    const boxes: Box[] = items.map((el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, width: r.width, height: r.height };
    });
    const next = nextFocus(boxes, from, dir);
    if (next !== null) this.focus(screen, items[next]!);
  }

  // ---- keys -------------------------------------------------------------------------------------------

  private onKeyDown(e: KeyboardEvent): void {
    const cmd = commandForKey(e.key);
    if (!cmd) return;
    // The remote drives everything; the browser must not scroll, go back in history or type.
    e.preventDefault();
    const screen = this.top();
    if (!screen) return;
    if (cmd.kind === 'select' && this.offerAction) {
      const action = this.offerAction;
      this.clearOffer();
      action();
      return;
    }
    if (screen.onCommand?.(cmd)) return;
    switch (cmd.kind) {
      case 'move':
        this.move(screen, cmd.dir);
        break;
      case 'select': {
        const active = document.activeElement as HTMLElement | null;
        if (active && screen.el.contains(active)) active.click();
        break;
      }
      case 'back':
        this.pop();
        break;
      case 'channel':
        this.channelStep(cmd.delta);
        break;
      case 'digit':
        this.digit(cmd.digit);
        break;
      default:
        break;
    }
  }

  /** The channel `delta` steps from the last watched one, wrapping around. */
  channelStep(delta: 1 | -1): void {
    if (this.channels.length === 0) return;
    const i = this.channels.findIndex((c) => c.id === this.lastChannelId);
    const next = i < 0 ? (delta > 0 ? 0 : this.channels.length - 1) : (i + delta + this.channels.length) % this.channels.length;
    this.openChannel(this.channels[next]!.id);
  }

  digit(d: number): void {
    const shown = this.digits.push(d, Date.now());
    this.digitsEl.textContent = shown;
    this.digitsEl.classList.add('shown');
    if (this.digitTimer) clearTimeout(this.digitTimer);
    const settle = () => {
      const n = this.digits.take(
        Date.now(),
        numberIsComplete(
          this.digits.pending,
          this.channels.map((c) => c.number),
        ),
      );
      if (n === null) {
        this.digitTimer = setTimeout(settle, 200);
        return;
      }
      this.digitsEl.classList.remove('shown');
      const channel = this.channels.find((c) => c.number === n);
      if (channel) this.openChannel(channel.id);
      else this.toast(this.tr('channelNotFound', { n }));
    };
    this.digitTimer = setTimeout(settle, 200);
  }

  // ---- header, clock, messages ------------------------------------------------------------------------

  toast(message: string, ms = 5000): void {
    this.toastEl.textContent = message;
    this.toastEl.classList.add('shown');
    if (this.toastTimer) clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => this.toastEl.classList.remove('shown'), ms);
  }

  private tick(): void {
    const now = Date.now();
    for (const el of document.querySelectorAll<HTMLElement>('[data-clock]')) {
      el.textContent = el.dataset.clock === 'date' ? formatDate(now, this.tz, this.lang) : formatTime(now, this.tz, this.lang);
    }
  }

  renderHeader(): void {
    const online = this.online;
    const s = this.status;
    const net = h(
      'div',
      { class: `net ${online ? 'net-online' : 'net-offline'}`, 'data-testid': 'net', 'data-online': String(online) },
      online ? this.tr('online') : this.tr('offline'),
    );
    const sub = !this.agentReachable
      ? this.tr('agentUnreachable')
      : !online
        ? this.tr('offlineHint')
        : s
          ? this.tr('cache', { p: Math.round((s.cacheReadiness ?? 0) * 100) })
          : '';
    this.header.replaceChildren(
      h(
        'div',
        { class: 'brand' },
        h('div', { class: 'site-name', 'data-testid': 'site-name' }, s?.siteName || this.tr('appTitle')),
        h('div', { class: 'brand-sub' }, sub),
      ),
      h(
        'div',
        { class: 'top-right' },
        net,
        h(
          'div',
          { class: 'clock' },
          h('div', { 'data-clock': 'time', class: 'clock-time' }),
          h('div', { 'data-clock': 'date', class: 'clock-date' }),
        ),
      ),
    );
    document.body.classList.toggle('is-offline', !online);
    this.tick();
  }
}
