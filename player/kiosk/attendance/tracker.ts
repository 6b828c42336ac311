// Watched time from real playback progress. A pure state machine fed the <video> element's events and the page's
// visibility, each with the wall-clock instant it happened: seconds count only while the picture is moving, the
// page is visible and nobody is seeking. Paused, stalled (buffering) and hidden time never count, and a seek is a
// jump, not watching: each counted step is the smaller of media progress and wall time since the last sample.

export type TrackerEvent =
  /** The media element started or resumed moving (the 'playing' event). */
  | { type: 'playing'; at: number; t: number }
  /** Progress: the 'timeupdate' event, or a sample taken by the caller (e.g. before reporting). */
  | { type: 'timeupdate'; at: number; t: number; rate?: number }
  /** The viewer paused, or the stream ended: progress stops until 'playing'. */
  | { type: 'pause' | 'ended' | 'emptied'; at: number; t?: number }
  /** Buffering ('waiting' / 'stalled'): no progress is counted until 'playing' or a timeupdate that moves on. */
  | { type: 'waiting'; at: number; t?: number }
  | { type: 'seeking'; at: number; t?: number }
  | { type: 'seeked'; at: number; t: number }
  | { type: 'visibility'; at: number; hidden: boolean };

export interface TrackerSnapshot {
  watchedSeconds: number;
  /** True while seconds are being counted right now. */
  counting: boolean;
}

export class WatchTracker {
  private watched = 0;
  private paused = true;
  private seeking = false;
  private hidden: boolean;
  /** The last (wall ms, media s) pair progress is measured from; null after anything that breaks continuity. */
  private last: { at: number; t: number } | null = null;

  constructor(opts: { hidden?: boolean } = {}) {
    this.hidden = opts.hidden ?? false;
  }

  get watchedSeconds(): number {
    return this.watched;
  }

  private get active(): boolean {
    return !this.paused && !this.seeking && !this.hidden;
  }

  feed(e: TrackerEvent): TrackerSnapshot {
    switch (e.type) {
      case 'playing':
        this.paused = false;
        this.seeking = false;
        this.last = { at: e.at, t: e.t };
        break;
      case 'timeupdate':
        this.progress(e.at, e.t, e.rate ?? 1);
        break;
      case 'pause':
      case 'ended':
      case 'emptied':
        if (e.t !== undefined) this.progress(e.at, e.t, 1);
        this.paused = true;
        this.last = null;
        break;
      case 'waiting':
        // What played up to the stall counts; the stall itself does not (progress resumes from the next sample).
        if (e.t !== undefined) this.progress(e.at, e.t, 1);
        this.last = null;
        break;
      case 'seeking':
        if (e.t !== undefined && !this.seeking) this.progress(e.at, e.t, 1);
        this.seeking = true;
        this.last = null;
        break;
      case 'seeked':
        this.seeking = false;
        this.last = { at: e.at, t: e.t };
        break;
      case 'visibility':
        if (e.hidden === this.hidden) break;
        this.hidden = e.hidden;
        // Hidden: stop at once. Visible again: count from the next progress sample.
        this.last = null;
        break;
    }
    return { watchedSeconds: this.watched, counting: this.active };
  }

  private progress(at: number, t: number, rate: number): void {
    if (!this.active) {
      this.last = null;
      return;
    }
    const prev = this.last;
    this.last = { at, t };
    if (!prev) return;
    const media = t - prev.t;
    const wall = (at - prev.at) / 1000;
    if (media <= 0 || wall <= 0) return;
    // Media seconds at a playback rate r take media/r real seconds; never more than the wall time that passed.
    this.watched += Math.min(media / (rate > 0 ? rate : 1), wall);
  }
}
