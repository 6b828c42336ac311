// Fixtures for the attendance tests: a small region tree with sites (by SQL until the sites API is used),
// programs, site tokens, and helpers to post batches.
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { hashToken } from '../../../server/auth/tokens.ts';
import type { Db } from '../../../server/db/connection.ts';
import type { AttendanceBatch, AttendanceSession } from '../../../common/attendance.ts';

export const TZ = 'Asia/Shanghai';

/**
 *  1 某省 (province)
 *  ├─ 2 红旗县 (county) ─ 4 城关镇 (township) ─ 5 东村 (village): sites 1 "东村, 第一站", 2 "东村二站"
 *  └─ 3 前进县 (county) ─ 6 西村 (village): site 3 "西村站"
 */
export function seedTree(db: Db): { tokens: Record<number, string> } {
  const now = new Date().toISOString();
  const insRegion = db.prepare(
    'INSERT INTO regions (id, parent_id, name, level, path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const region = (id: number, parent: number | null, name: string, level: string, path: string) =>
    insRegion.run(id, parent, name, level, path, now, now);
  region(1, null, '某省', 'province', '/1/');
  region(2, 1, '红旗县', 'county', '/1/2/');
  region(3, 1, '前进县', 'county', '/1/3/');
  region(4, 2, '城关镇', 'township', '/1/2/4/');
  region(5, 4, '东村', 'village', '/1/2/4/5/');
  region(6, 3, '西村', 'village', '/1/3/6/');
  const site = db.prepare(
    'INSERT INTO sites (id, name, region_id, token_hash, paired_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const tokens: Record<number, string> = { 1: 'site-token-one', 2: 'site-token-two', 3: 'site-token-three' };
  site.run(1, '东村, 第一站', 5, hashToken(tokens[1]), now, now, now);
  site.run(2, '东村二站', 5, hashToken(tokens[2]), now, now, now);
  site.run(3, '西村站', 6, hashToken(tokens[3]), now, now, now);
  const program = db.prepare(`INSERT INTO programs (id, title, series_id, status, duration, created_at, updated_at)
    VALUES (?, ?, ?, 'ready', ?, ?, ?)`);
  db.prepare("INSERT INTO series (id, title, created_at) VALUES (1, '乡村振兴讲座', ?)").run(now);
  program.run(1, '乡村振兴（一）', 1, 3600, now, now);
  program.run(2, '乡村振兴（二）', 1, 3600, now, now);
  program.run(3, '种植技术', null, 1800, now, now);
  return { tokens };
}

/** Epoch ms of a province-zone wall time on a day `daysAgo` days before today. */
export function provinceTime(now: number, daysAgo: number, hour: number, minute = 0): number {
  return DateTime.fromMillis(now, { zone: TZ }).startOf('day').minus({ days: daysAgo }).set({ hour, minute }).toMillis();
}
export function provinceDate(now: number, daysAgo: number): string {
  return DateTime.fromMillis(now, { zone: TZ }).minus({ days: daysAgo }).toISODate()!;
}

export function session(over: Partial<AttendanceSession> & { id: string; start: number }): AttendanceSession {
  return {
    programId: 1,
    mode: 'ondemand',
    end: over.start + 3600_000,
    watchedSeconds: 1800,
    headcount: 1,
    members: [],
    ...over,
  };
}

export async function postBatch(app: FastifyInstance, token: string, batch: AttendanceBatch) {
  return app.inject({
    method: 'POST',
    url: '/api/sites/me/attendance',
    headers: { authorization: `Bearer ${token}` },
    payload: batch,
  });
}

export function countStored(db: Db, siteId?: number): number {
  return siteId == null
    ? (db.prepare('SELECT count(*) AS n FROM attendance_sessions').get() as { n: number }).n
    : (db.prepare('SELECT count(*) AS n FROM attendance_sessions WHERE site_id = ?').get(siteId) as { n: number }).n;
}
