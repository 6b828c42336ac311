// Seeds a province into a fresh data dir before the server child starts on it: real programs (tiny generated
// media through the real ingest -> transcode -> publish path), a channel (its slate made by the broadcast domain)
// with tonight's schedule through the HTTP API, regions (one county per relay), and sites paired through the
// sites module (pairing through the API is limited per address, as it should be for 25,000 codes).
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import { ensureAdmin } from '../../server/auth/users.ts';
import { createRegion } from '../../server/sites/regions.ts';
import { createSite, pairSite } from '../../server/sites/sites.ts';
import { slatesSettled } from '../../server/broadcast/slate.ts';
import { readyProgram } from '../../testkit/programs.ts';
import { loginToken } from '../../testkit/helpers.ts';

export interface SeedOptions {
  dataDir: string;
  adminPassword: string;
  sites: number;
  counties: number;
  programs: number;
  programSeconds: number;
  /** When tonight's broadcast starts (epoch ms). */
  airAt: number;
}

export interface SimSite {
  id: number;
  token: string;
  county: number;
}

export interface Seeded {
  sites: SimSite[];
  /** County region ids, in order (site.county indexes this). */
  counties: number[];
  programIds: number[];
  channelId: number;
}

async function inject(app: FastifyInstance, auth: object, method: 'POST' | 'GET', url: string, payload?: object) {
  const res = await app.inject({ method, url, headers: auth as Record<string, string>, payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function seedProvince(o: SeedOptions, log: (line: string) => void): Promise<Seeded> {
  const config = loadConfig({}, { dataDir: o.dataDir, logLevel: 'error', startWorkers: false, demo: false });
  const app = await buildApp(config, { logger: false });
  try {
    await ensureAdmin(app.db, o.adminPassword);
    const auth = { authorization: `Bearer ${await loginToken(app, 'admin', o.adminPassword)}` };
    const programIds: number[] = [];
    for (let i = 0; i < o.programs; i++) {
      programIds.push(await readyProgram(app, { seconds: o.programSeconds, title: `模拟讲座 ${i + 1}` }));
      log(`  program ${i + 1}/${o.programs} transcoded (id ${programIds[i]})`);
    }
    const channel = await inject(app, auth, 'POST', '/api/channels', { number: 1, name: '模拟频道' });
    await slatesSettled(app.db);
    let at = o.airAt;
    for (const programId of programIds) {
      const item = await inject(app, auth, 'POST', `/api/channels/${channel.id}/schedule`, { programId, start: at });
      at = Date.parse(item.end);
    }

    const { db } = app;
    const codeKey = Buffer.alloc(32, 11);
    const counties: number[] = [];
    const villages: number[][] = [];
    const sites = db.transaction(() => {
      const province = createRegion(db, { name: '模拟省', level: 'province' });
      for (let c = 0; c < o.counties; c++) {
        const county = createRegion(db, { name: `县${c + 1}`, level: 'county', parentId: province.id });
        const town = createRegion(db, { name: `镇${c + 1}`, level: 'township', parentId: county.id });
        counties.push(county.id);
        villages.push(
          Array.from({ length: 10 }, (_, v) => createRegion(db, { name: `村${c + 1}-${v + 1}`, level: 'village', parentId: town.id }).id),
        );
      }
      return Array.from({ length: o.sites }, (_, i): SimSite => {
        const county = i % o.counties;
        const { site, pairingCode } = createSite(db, codeKey, {
          name: `站点${i + 1}`,
          regionId: villages[county]![Math.floor(i / o.counties) % 10]!,
          maxRung: '240p',
        });
        return { id: site.id, token: pairSite(db, codeKey, pairingCode).token, county };
      });
    })();
    return { sites, counties, programIds, channelId: channel.id };
  } finally {
    await app.close();
  }
}
