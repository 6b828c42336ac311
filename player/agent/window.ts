// The download window ('00:00-06:00' in the province's zone, may wrap midnight). Pure: `now` is passed in.
import { DateTime } from 'luxon';

export interface DownloadWindow {
  /** Minutes after local midnight. */
  startMin: number;
  endMin: number;
}

const HHMM = /^([01]\d|2[0-4]):([0-5]\d)$/;

function minutes(text: string): number {
  const m = HHMM.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a time of day HH:MM`);
  const total = Number(m[1]) * 60 + Number(m[2]);
  if (total > 24 * 60) throw new Error(`"${text}" is past 24:00`);
  return total;
}

/** Parses 'HH:MM-HH:MM'. Start equal to end (e.g. '00:00-24:00' or '00:00-00:00') means all day. */
export function parseWindow(text: string): DownloadWindow {
  const parts = text.split('-');
  if (parts.length !== 2) throw new Error(`download window "${text}" must look like 00:00-06:00`);
  return { startMin: minutes(parts[0]!) % (24 * 60), endMin: minutes(parts[1]!) % (24 * 60) };
}

/** Is `now` inside the window, evaluated on the wall clock of time zone `tz`? */
export function inWindow(window: DownloadWindow, tz: string, now: number): boolean {
  const local = DateTime.fromMillis(now, { zone: tz });
  const m = local.hour * 60 + local.minute;
  const { startMin, endMin } = window;
  if (startMin === endMin) return true;
  if (startMin < endMin) return m >= startMin && m < endMin;
  return m >= startMin || m < endMin; // wraps midnight, e.g. 22:00-05:00
}

/** Like inWindow, but a window text that does not parse counts as "always" (the server validates it; never stall downloads on it). */
export function inWindowText(text: string, tz: string, now: number): boolean {
  try {
    return inWindow(parseWindow(text), tz, now);
  } catch {
    return true;
  }
}
