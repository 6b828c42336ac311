// hls.js set up for a TV that plays for days: a bounded back buffer, live sync a few segments behind the
// edge, fatal errors recovered as hls.js documents (see recovery.ts for the decisions), and a watchdog so a
// frozen picture is treated as an error rather than left on screen. When a source cannot be recovered the
// owner is told (onGiveUp) and shows the next thing.
import Hls, { type ErrorData, type HlsConfig } from 'hls.js';
import { DEFAULT_RECOVERY, RecoveryPolicy, type FatalKind, type RecoveryAction, type RecoveryOptions } from './recovery.ts';

export interface PlayerOptions {
  live: boolean;
  /** Seconds into a VOD source to start at. */
  startPosition?: number;
  onGiveUp(reason: string): void;
  /** A message to show while recovering (null clears it). */
  onTrouble?(trouble: 'reconnecting' | null): void;
  onEnded?(): void;
  /** The first frame of this source is on screen. */
  onFirstFrame?(): void;
  /** Overrides of the recovery policy (a lecture gives up sooner than a channel: the viewer can pick another). */
  recovery?: Partial<RecoveryOptions>;
}

const STALL_MS = 20_000;
const WATCHDOG_MS = 2000;

function hlsConfig(live: boolean, startPosition: number): Partial<HlsConfig> {
  return {
    // Without a bound, hls.js keeps every played segment in memory: days of video on a small PC.
    backBufferLength: live ? 30 : 60,
    maxBufferLength: 30,
    maxMaxBufferLength: 60,
    // Three 4 s segments behind the edge: enough slack for a slow disk, still in step with the clock.
    liveSyncDurationCount: 3,
    // Drifted further behind than this (after a stall), jump back to the live point.
    liveMaxLatencyDurationCount: 8,
    startPosition,
    capLevelToPlayerSize: true,
    enableWorker: true,
  };
}

function kindOf(data: ErrorData): FatalKind {
  if (data.type === Hls.ErrorTypes.NETWORK_ERROR) return 'network';
  if (data.type === Hls.ErrorTypes.MEDIA_ERROR) return 'media';
  return 'other';
}

export class KioskPlayer {
  private hls: Hls | null = null;
  private url = '';
  private readonly policy: RecoveryPolicy;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private onlineListener: (() => void) | null = null;
  private lastTime = -1;
  private lastAdvanceAt = 0;
  private firstFrameSeen = false;
  /** The current instance has parsed its master playlist (startLoad can resume it). */
  private manifestParsed = false;
  private destroyed = false;
  private readonly listeners: Array<[string, EventListener]> = [];

  constructor(
    readonly video: HTMLVideoElement,
    private readonly opts: PlayerOptions,
  ) {
    this.policy = new RecoveryPolicy({ ...DEFAULT_RECOVERY, ...opts.recovery });
    this.listen('playing', () => {
      this.opts.onTrouble?.(null);
      if (!this.firstFrameSeen) {
        this.firstFrameSeen = true;
        this.opts.onFirstFrame?.();
      }
    });
    this.listen('ended', () => {
      if (!this.opts.live) this.opts.onEnded?.();
    });
    this.watchdog = setInterval(() => this.checkProgress(), WATCHDOG_MS);
  }

  private listen(event: string, fn: EventListener): void {
    this.video.addEventListener(event, fn);
    this.listeners.push([event, fn]);
  }

  load(url: string, startPosition = this.opts.startPosition ?? -1): void {
    this.url = url;
    this.firstFrameSeen = false;
    this.lastTime = -1;
    this.lastAdvanceAt = Date.now();
    this.clearRetry();
    this.start(startPosition);
  }

  private start(startPosition: number): void {
    this.teardownHls();
    this.manifestParsed = false;
    if (Hls.isSupported()) {
      const hls = new Hls(hlsConfig(this.opts.live, startPosition));
      this.hls = hls;
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (hls === this.hls && data.fatal) this.act(this.policy.onFatal(kindOf(data), Date.now(), navigator.onLine), data.details);
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        this.manifestParsed = true;
        this.play();
      });
      hls.attachMedia(this.video);
      hls.loadSource(this.url);
    } else if (this.video.canPlayType('application/vnd.apple.mpegurl')) {
      // A browser with native HLS (no MSE): let it play, the watchdog still guards against a frozen frame.
      this.video.src = this.url;
      if (startPosition > 0) this.video.currentTime = startPosition;
      this.play();
    } else {
      this.opts.onGiveUp('no HLS support in this browser');
    }
  }

  private play(): void {
    this.video.play().catch(() => {
      // Autoplay refused (launcher without the autoplay flag): a muted picture beats a still one.
      if (this.destroyed) return;
      this.video.muted = true;
      this.video.play().catch(() => undefined);
    });
  }

  private act(action: RecoveryAction, reason: string): void {
    if (this.destroyed) return;
    switch (action.type) {
      case 'recoverMedia':
        this.hls?.recoverMediaError();
        break;
      case 'swapAndRecover':
        this.hls?.swapAudioCodec();
        this.hls?.recoverMediaError();
        break;
      case 'retryLoad':
        this.opts.onTrouble?.('reconnecting');
        this.scheduleRetry(action.delayMs, action.waitForOnline);
        break;
      case 'recreate':
        this.start(this.resumePosition());
        break;
      case 'giveUp':
        this.teardownHls();
        this.opts.onGiveUp(reason);
        break;
    }
  }

  private resumePosition(): number {
    return this.opts.live ? -1 : this.video.currentTime || this.opts.startPosition || -1;
  }

  private scheduleRetry(delayMs: number, waitForOnline: boolean): void {
    this.clearRetry();
    const resume = () => {
      this.clearRetry();
      if (this.destroyed) return;
      this.lastAdvanceAt = Date.now();
      // startLoad resumes segment loading; an instance that never got its playlist has nothing to resume.
      if (this.hls && this.manifestParsed) this.hls.startLoad(this.opts.live ? -1 : this.video.currentTime);
      else this.start(this.resumePosition());
    };
    if (waitForOnline && !navigator.onLine) {
      this.onlineListener = resume;
      window.addEventListener('online', resume, { once: true });
    } else {
      this.retryTimer = setTimeout(resume, delayMs);
    }
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.onlineListener) window.removeEventListener('online', this.onlineListener);
    this.onlineListener = null;
  }

  private checkProgress(): void {
    if (this.destroyed || !this.url) return;
    const now = Date.now();
    const t = this.video.currentTime;
    if (t !== this.lastTime) {
      if (this.lastTime >= 0) this.policy.onProgress(now);
      this.lastTime = t;
      this.lastAdvanceAt = now;
      return;
    }
    // Paused by the viewer, finished, or waiting for the link: not a frozen picture.
    if ((this.video.paused && this.firstFrameSeen) || this.video.ended || this.retryTimer || this.onlineListener) {
      this.lastAdvanceAt = now;
      return;
    }
    if (now - this.lastAdvanceAt >= STALL_MS) {
      this.lastAdvanceAt = now;
      this.act(this.policy.onStall(now), 'playback stalled');
    }
  }

  pause(): void {
    this.video.pause();
  }

  resume(): void {
    this.play();
  }

  /** Wall-clock instant (epoch ms) of the picture on screen, from EXT-X-PROGRAM-DATE-TIME (live); null if unknown. */
  playingDate(): number | null {
    return this.hls?.playingDate?.getTime() ?? null;
  }

  get currentTime(): number {
    return this.video.currentTime;
  }

  seekBy(seconds: number): void {
    const d = Number.isFinite(this.video.duration) ? this.video.duration : Infinity;
    this.video.currentTime = Math.max(0, Math.min(d - 1, this.video.currentTime + seconds));
  }

  private teardownHls(): void {
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.clearRetry();
    if (this.watchdog) clearInterval(this.watchdog);
    this.teardownHls();
    for (const [event, fn] of this.listeners) this.video.removeEventListener(event, fn);
    this.video.removeAttribute('src');
    this.video.load();
  }
}
