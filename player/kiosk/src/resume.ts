// Where each lecture was left, so a member can resume it. Kept in localStorage on the kiosk (a store is
// passed in), bounded so a kiosk that runs for years does not grow it without limit.
import type { KeyValueStore } from './i18n.ts';

export const RESUME_STORAGE_KEY = 'kiosk.resume';
const MAX_ENTRIES = 300;

interface Entry {
  /** Seconds into the lecture. */
  pos: number;
  /** When it was saved (epoch ms), to drop the oldest first. */
  at: number;
}

export class ResumeStore {
  constructor(private readonly store: KeyValueStore) {}

  private read(): Record<string, Entry> {
    try {
      const parsed: unknown = JSON.parse(this.store.getItem(RESUME_STORAGE_KEY) ?? '{}');
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, Entry>) : {};
    } catch {
      return {};
    }
  }

  private write(entries: Record<string, Entry>): void {
    const keys = Object.keys(entries);
    if (keys.length > MAX_ENTRIES) {
      keys
        .sort((a, b) => entries[a]!.at - entries[b]!.at)
        .slice(0, keys.length - MAX_ENTRIES)
        .forEach((k) => delete entries[k]);
    }
    this.store.setItem(RESUME_STORAGE_KEY, JSON.stringify(entries));
  }

  get(programId: number): number {
    const e = this.read()[String(programId)];
    return e && Number.isFinite(e.pos) ? e.pos : 0;
  }

  save(programId: number, pos: number, now: number): void {
    const entries = this.read();
    entries[String(programId)] = { pos, at: now };
    this.write(entries);
  }

  clear(programId: number): void {
    const entries = this.read();
    delete entries[String(programId)];
    this.write(entries);
  }
}

/**
 * Where to start a lecture given the saved position: from the start when little was watched or it was
 * nearly finished; otherwise a few seconds before where it was left, so the viewer picks up the thread.
 */
export function resumeStart(saved: number, duration: number): number {
  if (!(saved > 0) || saved < 10) return 0;
  if (duration > 0 && (saved > duration - 15 || saved > duration * 0.95)) return 0;
  return Math.max(0, saved - 3);
}

/** Whether a position is worth saving as "left here" (not at the very start, not finished). */
export function isResumable(pos: number, duration: number): boolean {
  return resumeStart(pos, duration) > 0;
}
