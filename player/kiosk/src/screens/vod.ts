// A lecture playing full screen, resuming where it was left. Left/Right seek, Enter pauses and shows
// where we are, Back saves the position and returns.
import type { App, Screen } from '../app.ts';
import type { CatalogItem } from '../api.ts';
import { h, progressBar } from '../dom.ts';
import { formatDuration } from '../format.ts';
import type { Command } from '../keys.ts';
import { KioskPlayer } from '../player.ts';
import { isResumable } from '../resume.ts';
import { attachAttendance, type AttendanceHandle } from '../../attendance/index.ts';

const SAVE_EVERY_MS = 5000;
const SEEK_STEP_S = 15;
const OVERLAY_MS = 4000;

export class VodScreen implements Screen {
  readonly el = h('section', { class: 'screen player-screen', 'data-screen': 'vod' });
  readonly mode = 'fullscreen' as const;
  readonly video = h('video', { class: 'video', playsinline: true, autoplay: true });
  private readonly overlay = h('div', { class: 'overlay overlay-bottom' });
  private readonly trouble = h('div', { class: 'trouble' });
  private readonly player: KioskPlayer;
  private readonly saveTimer: ReturnType<typeof setInterval>;
  private overlayTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly attendance: AttendanceHandle;

  constructor(
    private readonly app: App,
    private readonly item: CatalogItem,
    from: number,
    onFailed: () => void,
  ) {
    this.el.dataset.program = String(item.id);
    this.el.append(this.video, this.overlay, this.trouble);
    this.player = new KioskPlayer(this.video, {
      live: false,
      // About 7 s of retries, then back to something that plays: a lecture is not worth a long black screen.
      recovery: { maxNetworkRetries: 3 },
      startPosition: from > 0 ? from : -1,
      onGiveUp: onFailed,
      onTrouble: (trouble) => {
        this.trouble.textContent = trouble ? app.tr('reconnecting') : '';
        this.trouble.classList.toggle('shown', trouble !== null);
      },
      onEnded: () => {
        app.resume.clear(item.id);
        app.pop();
        app.offerQuizAfterLecture(item.id);
      },
      onFirstFrame: () => this.el.setAttribute('data-playing', 'true'),
    });
    this.attendance = attachAttendance(this.video, { mode: 'ondemand', programId: item.id, lang: () => app.lang, container: this.el });
    this.player.load(item.hls);
    this.saveTimer = setInterval(() => this.save(), SAVE_EVERY_MS);
    this.video.addEventListener('pause', () => this.showOverlay(true));
    this.video.addEventListener('play', () => this.showOverlay());
    this.showOverlay();
  }

  private save(): void {
    const pos = this.player.currentTime;
    const duration = Number.isFinite(this.video.duration) ? this.video.duration : this.item.duration;
    if (isResumable(pos, duration)) this.app.resume.save(this.item.id, pos, Date.now());
    else if (pos > 0 && duration > 0 && pos >= duration - 15) this.app.resume.clear(this.item.id);
  }

  private showOverlay(sticky = false): void {
    const app = this.app;
    const pos = this.player.currentTime;
    const duration = Number.isFinite(this.video.duration) ? this.video.duration : this.item.duration;
    this.overlay.replaceChildren(
      h(
        'div',
        { class: 'overlay-head' },
        h('span', { class: 'overlay-name' }, this.item.title),
        this.video.paused ? h('span', { class: 'label' }, app.tr('paused')) : null,
      ),
      progressBar(duration > 0 ? pos / duration : 0),
      h('div', { class: 'overlay-time' }, `${formatDuration(pos)} / ${formatDuration(duration)}`),
    );
    this.overlay.classList.add('shown');
    if (this.overlayTimer) clearTimeout(this.overlayTimer);
    this.overlayTimer = sticky ? null : setTimeout(() => this.overlay.classList.remove('shown'), OVERLAY_MS);
  }

  onCommand(cmd: Command): boolean {
    switch (cmd.kind) {
      case 'select':
      case 'playPause':
        if (this.video.paused) this.player.resume();
        else this.player.pause();
        return true;
      case 'move':
        if (cmd.dir === 'left' || cmd.dir === 'right') this.player.seekBy(cmd.dir === 'left' ? -SEEK_STEP_S : SEEK_STEP_S);
        this.showOverlay(this.video.paused);
        return true;
      case 'info':
        this.showOverlay();
        return true;
      case 'back':
        this.save();
        return false;
      default:
        return false;
    }
  }

  onHide(): void {
    this.save();
  }

  destroy(): void {
    this.save();
    clearInterval(this.saveTimer);
    if (this.overlayTimer) clearTimeout(this.overlayTimer);
    this.attendance.detach();
    this.player.destroy();
  }
}
