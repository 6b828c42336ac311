// Heartbeats: the last state each site reported, and the time it was connected per province day.
// A site is online while its last heartbeat is younger than three periods (three missed heartbeats = offline).
import type { Db } from '../db/connection.ts';
import { HEARTBEAT_INTERVAL_SECONDS, MISSED_HEARTBEATS_OFFLINE, type Heartbeat } from '../../common/attendance.ts';
import { memoSplitByDay } from './days.ts';
import { groupCommit } from '../db/group-commit.ts';

export const OFFLINE_AFTER_MS = HEARTBEAT_INTERVAL_SECONDS * MISSED_HEARTBEATS_OFFLINE * 1000;

export const isOnline = (lastSeen: number | null, now: number): boolean => lastSeen != null && now - lastSeen <= OFFLINE_AFTER_MS;

/**
 * The stretch of time a heartbeat proves the site was connected: since the previous heartbeat, when that one was
 * recent enough for the site to still count as online; otherwise nothing (the site just came back).
 */
export function connectedStretch(previous: number | null, now: number): { startMs: number; endMs: number } | null {
  if (previous == null || now <= previous || now - previous > OFFLINE_AFTER_MS) return null;
  return { startMs: previous, endMs: now };
}

export type RecordHeartbeat = (siteId: number, hb: Heartbeat, now: number) => Promise<void>;

/** Records a heartbeat in the database's group commit (server/db/group-commit.ts): ~420 a second at a province. */
export function makeRecordHeartbeat(db: Db, tz: string): RecordHeartbeat {
  const last = db.prepare<[number], { lastSeen: number }>('SELECT last_seen AS lastSeen FROM site_status WHERE site_id = ?');
  const upsert = db.prepare<[Record<string, string | number | null>]>(`
    INSERT INTO site_status (site_id, first_seen, last_seen, on_screen, cache_readiness, free_disk_bytes,
      agent_version, uptime_seconds, last_error, clock_offset_ms, media_sources)
    VALUES (@siteId, @now, @now, @onScreen, @cacheReadiness, @freeDisk, @agentVersion, @uptime, @lastError, @offset, @mediaSources)
    ON CONFLICT (site_id) DO UPDATE SET last_seen = excluded.last_seen, on_screen = excluded.on_screen,
      cache_readiness = coalesce(excluded.cache_readiness, cache_readiness),
      free_disk_bytes = coalesce(excluded.free_disk_bytes, free_disk_bytes),
      agent_version = coalesce(excluded.agent_version, agent_version),
      uptime_seconds = coalesce(excluded.uptime_seconds, uptime_seconds),
      last_error = excluded.last_error, clock_offset_ms = excluded.clock_offset_ms,
      media_sources = coalesce(excluded.media_sources, media_sources)`);
  const addConnected = db.prepare<[number, string, number]>(`
    INSERT INTO site_connected_daily (site_id, day, seconds) VALUES (?, ?, ?)
    ON CONFLICT (site_id, day) DO UPDATE SET seconds = seconds + excluded.seconds`);

  const splitByDay = memoSplitByDay(tz);
  const writeOne = (siteId: number, hb: Heartbeat, now: number) => {
    const prev = last.get(siteId);
    const stretch = connectedStretch(prev?.lastSeen ?? null, now);
    if (stretch) for (const { day, seconds } of splitByDay(stretch.startMs, stretch.endMs)) addConnected.run(siteId, day, seconds);
    upsert.run({
      siteId,
      now,
      onScreen: hb.onScreen ? JSON.stringify(hb.onScreen) : null,
      cacheReadiness: hb.cacheReadiness ?? null,
      freeDisk: hb.freeDiskBytes ?? null,
      agentVersion: hb.agentVersion ?? null,
      uptime: hb.uptimeSeconds ?? null,
      lastError: hb.lastError ?? null,
      offset: hb.sentAt != null ? now - hb.sentAt : null,
      mediaSources: hb.mediaSources ? JSON.stringify(hb.mediaSources) : null,
    });
  };
  const commit = groupCommit(db);
  return (siteId, hb, now) => commit(() => writeOne(siteId, hb, now));
}
