// Catalog, channel and schedule rows as the media pipeline and the broadcast domain leave them (renditions,
// segments, program_files with sha256), written straight into the real SQLite file: the manifest reads only
// these tables; the real pipeline end to end is covered by sites-manifest-media.test.ts.
import type { FastifyInstance } from 'fastify';

export function program(app: FastifyInstance, title: string, rungs: string[], segs: number[], opts: { published?: boolean } = {}) {
  const now = new Date().toISOString();
  const id = Number(
    app.db
      .prepare("INSERT INTO programs (title, status, duration, published, created_at, updated_at) VALUES (?, 'ready', ?, ?, ?, ?)")
      .run(title, segs.reduce((a, b) => a + b, 0), opts.published === false ? 0 : 1, now, now).lastInsertRowid,
  );
  const heights: Record<string, number> = { '720p': 720, '480p': 480, '360p': 360, '240p': 240 };
  const file = app.db.prepare('INSERT INTO program_files (program_id, path, rung, size, sha256) VALUES (?, ?, ?, ?, ?)');
  const hash = (s: string) => s.padEnd(64, '0').slice(0, 64);
  file.run(id, 'master.m3u8', null, 300, hash(`m${id}`));
  file.run(id, 'poster.jpg', null, 9000, hash(`p${id}`));
  for (const r of rungs) {
    app.db.prepare('INSERT INTO renditions (program_id, name, width, height, bandwidth) VALUES (?, ?, ?, ?, ?)').run(id, r, heights[r] * 16 / 9, heights[r], 500_000);
    file.run(id, `${r}/index.m3u8`, r, 200, hash(`i${id}${r}`));
    segs.forEach((_, i) => file.run(id, `${r}/seg_${String(i).padStart(5, '0')}.ts`, r, 1000 + i, hash(`s${id}${r}${i}`)));
  }
  segs.forEach((d, i) => app.db.prepare('INSERT INTO segments (program_id, seq, duration) VALUES (?, ?, ?)').run(id, i, d));
  return id;
}

export function channel(app: FastifyInstance, number: number, slateId: number, regionIds: number[]) {
  const now = new Date().toISOString();
  const id = Number(
    app.db
      .prepare("INSERT INTO channels (number, name, description, generated_slate_id, slate_status, epoch, created_at, updated_at) VALUES (?, ?, '', ?, 'ready', 0, ?, ?)")
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
