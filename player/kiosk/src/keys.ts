// What a remote's key means to the kiosk. Remotes on kiosk PCs send ordinary keyboard keys (arrows, Enter,
// Escape/Backspace, PageUp/PageDown, digits); some also send the dedicated media keys named here.

export type Command =
  | { kind: 'move'; dir: 'up' | 'down' | 'left' | 'right' }
  | { kind: 'select' }
  | { kind: 'back' }
  | { kind: 'channel'; delta: 1 | -1 }
  | { kind: 'digit'; digit: number }
  | { kind: 'info' }
  | { kind: 'playPause' };

export function commandForKey(key: string): Command | null {
  switch (key) {
    case 'ArrowUp':
      return { kind: 'move', dir: 'up' };
    case 'ArrowDown':
      return { kind: 'move', dir: 'down' };
    case 'ArrowLeft':
      return { kind: 'move', dir: 'left' };
    case 'ArrowRight':
      return { kind: 'move', dir: 'right' };
    case 'Enter':
    case 'OK':
    case 'Select':
      return { kind: 'select' };
    case 'Escape':
    case 'Backspace':
    case 'BrowserBack':
    case 'GoBack':
      return { kind: 'back' };
    case 'PageUp':
    case 'ChannelUp':
      return { kind: 'channel', delta: 1 };
    case 'PageDown':
    case 'ChannelDown':
      return { kind: 'channel', delta: -1 };
    case 'Info':
    case 'i':
    case 'I':
    case 'ContextMenu':
      return { kind: 'info' };
    case 'MediaPlayPause':
    case 'MediaPlay':
    case 'MediaPause':
    case ' ':
      return { kind: 'playPause' };
    default:
      if (key.length === 1 && key >= '0' && key <= '9') return { kind: 'digit', digit: Number(key) };
      return null;
  }
}

/**
 * Collects digits typed on the remote into a channel number: each digit extends the number (at most
 * `maxDigits`), and the number is taken when the viewer pauses. Pure: the caller passes the time.
 */
export class DigitEntry {
  private digits = '';
  private lastAt = 0;

  constructor(
    private readonly pauseMs = 1500,
    private readonly maxDigits = 3,
  ) {}

  /** Adds a digit; returns the number so far (for the on-screen echo). */
  push(digit: number, now: number): string {
    if (this.digits && now - this.lastAt > this.pauseMs) this.digits = '';
    this.digits = (this.digits + String(digit)).slice(-this.maxDigits);
    this.lastAt = now;
    return this.digits;
  }

  /**
   * The number once the viewer has paused, typed the maximum, or typed a number no longer one can start
   * (`complete`, see numberIsComplete); null while still typing or empty.
   */
  take(now: number, complete = false): number | null {
    if (!this.digits) return null;
    if (!complete && this.digits.length < this.maxDigits && now - this.lastAt < this.pauseMs) return null;
    const n = Number(this.digits);
    this.digits = '';
    return n;
  }

  get pending(): string {
    return this.digits;
  }
}

/**
 * True when no channel number is a longer continuation of `typed`: with channels 1-9, "2" is complete and
 * tunes at once instead of waiting for the pause (as TVs do); with a channel 12, "1" still waits.
 */
export function numberIsComplete(typed: string, channelNumbers: readonly number[]): boolean {
  return !channelNumbers.some((n) => {
    const s = String(n);
    return s.length > typed.length && s.startsWith(typed);
  });
}
