// Shared set-up of the site-attendance tests (not a test itself): a real server on a loopback socket with a
// region chain, one site registered and paired through the sites API, and a couple of programs.
import fs from 'node:fs';
import { makeServer, type TestServer } from '../../../testkit/helpers.ts';

export interface PairedSite {
  s: TestServer;
  serverUrl: string;
  siteId: number;
  token: string;
}

const LEVELS = ['province', 'prefecture', 'county', 'township', 'village'] as const;

export async function pairedSite(programs: Array<{ id: number; title: string; duration: number }>): Promise<PairedSite> {
  const s = await makeServer();
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (s.app.server.address() as { port: number }).port;
  let parentId: number | null = null;
  for (const level of LEVELS) {
    const payload: Record<string, unknown> = { name: `测试 ${level}`, level, parentId };
    const res = await s.app.inject({ method: 'POST', url: '/api/regions', headers: s.auth, payload });
    if (res.statusCode >= 300) throw new Error(`region ${level}: ${res.statusCode} ${res.body}`);
    parentId = (res.json() as { id: number }).id;
  }
  const site = await s.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: s.auth,
    payload: { name: '测试村活动室', regionId: parentId },
  });
  if (site.statusCode !== 201) throw new Error(`site: ${site.statusCode} ${site.body}`);
  const paired = await s.app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: site.json().pairingCode } });
  if (paired.statusCode !== 200) throw new Error(`pair: ${paired.statusCode} ${paired.body}`);
  const now = new Date().toISOString();
  const insert = s.app.db.prepare(
    "INSERT INTO programs (id, title, status, duration, created_at, updated_at) VALUES (?, ?, 'ready', ?, ?, ?)",
  );
  for (const p of programs) insert.run(p.id, p.title, p.duration, now, now);
  return { s, serverUrl: `http://127.0.0.1:${port}`, siteId: site.json().id, token: paired.json().token };
}

export function rmDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
