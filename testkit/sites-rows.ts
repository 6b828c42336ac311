// Catalog, channel and schedule rows as the media pipeline and the broadcast domain leave them (version 1 of the
// output recorded through media-data: renditions, segments, program_files with sha256), written into the real SQLite file: the manifest reads only
// these tables; the real pipeline end to end is covered by sites-manifest-media.test.ts.
import type { FastifyInstance } from 'fastify';
import type { RungName } from '../common/ladder.ts';
import { recordOutputVersion, type OutputRecord } from '../server/media/media-data.ts';

export function program(app: FastifyInstance, title: string, rungs: RungName[], segs: number[], opts: { published?: boolean } = {}) {
  const now = new Date().toISOString();
  const id = Number(
    app.db.prepare("INSERT INTO programs (title, status, duration, published, created_at, updated_at) VALUES (?, 'ready', ?, ?, ?, ?)").run(
      title,
      segs.reduce((a, b) => a + b, 0),
      opts.published === false ? 0 : 1,
      now,
      now,
    ).lastInsertRowid,
  );
  const heights: Record<string, number> = { '720p': 720, '480p': 480, '360p': 360, '240p': 240 };
  const hash = (s: string) => s.padEnd(64, '0').slice(0, 64);
  const files: OutputRecord['files'] = [
    { path: 'master.m3u8', rung: null, size: 300, sha256: hash(`m${id}`) },
    { path: 'poster.jpg', rung: null, size: 9000, sha256: hash(`p${id}`) },
  ];
  for (const r of rungs) {
    files.push({ path: `${r}/index.m3u8`, rung: r, size: 200, sha256: hash(`i${id}${r}`) });
    segs.forEach((_, i) =>
      files.push({ path: `${r}/seg_${String(i).padStart(5, '0')}.ts`, rung: r, size: 1000 + i, sha256: hash(`s${id}${r}${i}`) }),
    );
  }
  const renditions = rungs.map((r) => ({ name: r, width: (heights[r] * 16) / 9, height: heights[r], bandwidth: 500_000 }));
  recordOutputVersion(app.db, id, 1, { renditions, segments: segs, files }, now);
  return id;
}

export function channel(app: FastifyInstance, number: number, slateId: number, regionIds: number[]) {
  const now = new Date().toISOString();
  const id = Number(
    app.db
      .prepare(
        "INSERT INTO channels (number, name, description, generated_slate_id, slate_status, epoch, created_at, updated_at) VALUES (?, ?, '', ?, 'ready', 0, ?, ?)",
      )
      .run(number, `频道${number}`, slateId, now, now).lastInsertRowid,
  );
  for (const r of regionIds) app.db.prepare('INSERT INTO channel_regions (channel_id, region_id) VALUES (?, ?)').run(id, r);
  return id;
}

export function schedule(app: FastifyInstance, channelId: number, programId: number, start: number, end: number) {
  const now = new Date().toISOString();
  return Number(
    app.db
      .prepare('INSERT INTO schedule_items (channel_id, program_id, start_at, end_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(channelId, programId, start, end, now, now).lastInsertRowid,
  );
}
