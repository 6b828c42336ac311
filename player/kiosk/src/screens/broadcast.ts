// Broadcast mode: a channel full screen from its live point. Channel up/down (PageUp/PageDown, or the
// arrows up/down), digits, and an info overlay (channel, now/next, time) on Enter or Info.
import type { App, Screen } from '../app.ts';
import { channelPlaylistUrl, type LocalChannel } from '../api.ts';
import { h, progressBar, setChildren } from '../dom.ts';
import { formatRange, formatTime, progressFraction } from '../format.ts';
import type { Command } from '../keys.ts';
import { KioskPlayer } from '../player.ts';
import { attachAttendance, type AttendanceHandle } from '../../attendance/index.ts';

const OVERLAY_MS = 6000;

export class BroadcastScreen implements Screen {
  readonly el = h('section', { class: 'screen player-screen', 'data-screen': 'broadcast' });
  readonly mode = 'fullscreen' as const;
  readonly video = h('video', { class: 'video', playsinline: true, autoplay: true });
  private readonly overlay = h('div', { class: 'overlay', 'data-testid': 'info' });
  private readonly trouble = h('div', { class: 'trouble' });
  private readonly player: KioskPlayer;
  private overlayTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly attendance: AttendanceHandle;
  channelId: number;

  constructor(
    private readonly app: App,
    channelId: number,
  ) {
    this.channelId = channelId;
    this.el.append(this.video, this.overlay, this.trouble);
    this.player = new KioskPlayer(this.video, {
      live: true,
      onGiveUp: () => this.app.goHome(this.app.tr('channelFailed')),
      onTrouble: (trouble) => {
        this.trouble.textContent = trouble ? this.app.tr('reconnecting') : '';
        this.trouble.classList.toggle('shown', trouble !== null);
      },
      onFirstFrame: () => this.el.setAttribute('data-playing', 'true'),
    });
    // Who watched what, for how long: sessions, headcount and member sign-in (player/kiosk/attendance).
    this.attendance = attachAttendance(this.video, {
      mode: 'broadcast',
      channelId: () => this.channelId,
      lang: () => this.app.lang,
      container: this.el,
      playingDate: () => this.player.playingDate(),
    });
    this.tune(channelId);
  }

  /** The wall-clock instant of the picture on screen (the schedule's time), when the stream says it. */
  playingDate(): number | null {
    return this.player.playingDate();
  }

  private channel(): LocalChannel | undefined {
    return this.app.channels.find((c) => c.id === this.channelId);
  }

  /** Switches to a channel (same screen, same video element: no flash of the home page between channels). */
  tune(channelId: number): void {
    this.channelId = channelId;
    this.app.lastChannelId = channelId;
    this.el.dataset.channel = String(channelId);
    this.el.removeAttribute('data-playing');
    this.player.load(channelPlaylistUrl(channelId), -1);
    this.showOverlay();
  }

  private showOverlay(): void {
    this.renderOverlay();
    this.overlay.classList.add('shown');
    if (this.overlayTimer) clearTimeout(this.overlayTimer);
    this.overlayTimer = setTimeout(() => this.overlay.classList.remove('shown'), OVERLAY_MS);
  }

  private renderOverlay(): void {
    const app = this.app;
    const c = this.channel();
    const now = Date.now();
    setChildren(
      this.overlay,
      h(
        'div',
        { class: 'overlay-head' },
        h('span', { class: 'overlay-no' }, c ? String(c.number) : ''),
        h('span', { class: 'overlay-name' }, c?.name ?? ''),
        h('span', { class: 'overlay-clock' }, formatTime(now, app.tz, app.lang)),
        app.online ? null : h('span', { class: 'net net-offline' }, app.tr('offline')),
      ),
      c?.now
        ? h(
            'div',
            { class: 'overlay-now' },
            h('span', { class: 'label' }, app.tr('nowOn')),
            h('span', { class: 'title', 'data-testid': 'now-title' }, c.now.title),
            h('span', { class: 'time' }, formatRange(c.now.start, c.now.end, app.tz, app.lang)),
          )
        : h('div', { class: 'overlay-now muted' }, app.tr('nothingOn')),
      c?.now ? progressBar(progressFraction(now, c.now.start, c.now.end)) : null,
      c?.next
        ? h(
            'div',
            { class: 'overlay-next' },
            h('span', { class: 'label' }, app.tr('next')),
            h('span', { class: 'time' }, formatTime(c.next.start, app.tz, app.lang)),
            h('span', { class: 'title' }, c.next.title),
          )
        : null,
    );
  }

  onCommand(cmd: Command): boolean {
    switch (cmd.kind) {
      case 'select':
      case 'info':
        if (this.overlay.classList.contains('shown')) {
          this.overlay.classList.remove('shown');
        } else this.showOverlay();
        return true;
      case 'move':
        if (cmd.dir === 'up' || cmd.dir === 'down') this.app.channelStep(cmd.dir === 'up' ? 1 : -1);
        else this.showOverlay();
        return true;
      case 'channel':
        this.app.channelStep(cmd.delta);
        return true;
      case 'playPause':
        return true;
      default:
        return false;
    }
  }

  refresh(): void {
    if (this.overlay.classList.contains('shown')) this.renderOverlay();
  }

  destroy(): void {
    if (this.overlayTimer) clearTimeout(this.overlayTimer);
    this.attendance.detach();
    this.player.destroy();
  }
}
