// Benchmark: from "published and offered at the centre" to "ready at the province" for a lecture of --seconds under
// a bandwidth cap of --kbps, two real servers on sockets in one process. Prints the bytes moved, the time, and the
// effective rate as a ratio of the cap (1.0: the cap is the only limit), next to the centre's own transcode time
// of the same lecture measured in the same run (the reference).
//
//   node --import tsx scripts/bench/mirror.ts [--seconds 600] [--kbps 8000] [--shape tiny240]
import type { AddressInfo } from 'node:net';
import { makeServer, type TestServer } from '../../testkit/helpers.ts';
import { readyProgram } from '../../testkit/programs.ts';
import type { GoodShape } from '../../testkit/media.ts';
import type { Config } from '../../server/config.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const SECONDS = Number(arg('seconds', '600'));
const KBPS = Number(arg('kbps', '8000'));
const SHAPE = arg('shape', 'tiny240') as GoodShape;

async function listening(overrides: Partial<Config> = {}): Promise<TestServer & { url: string }> {
  const s = await makeServer(overrides);
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...s, url: `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}` };
}

const centre = await listening();
const t0 = performance.now();
const programId = await readyProgram(centre.app, { seconds: SECONDS, shape: SHAPE, title: 'bench lecture' });
const transcodeS = (performance.now() - t0) / 1000;
const region = await centre.app.inject({
  method: 'POST',
  url: '/api/regions',
  headers: centre.auth,
  payload: { name: 'P', level: 'province' },
});
const platform = await centre.app.inject({
  method: 'POST',
  url: '/api/platforms',
  headers: centre.auth,
  payload: { regionId: region.json().id },
});
await centre.app.inject({ method: 'PATCH', url: `/api/programs/${programId}`, headers: centre.auth, payload: { distribute: true } });

const province = await listening({ upstreamUrl: centre.url, upstreamPairCode: platform.json().pairingCode, upstreamBandwidthKbps: KBPS });
await province.app.upstream.pair();
const t1 = performance.now();
await province.app.mirror!.sync();
const mirrorS = (performance.now() - t1) / 1000;
const listed = (await province.app.inject({ url: '/api/programs', headers: province.auth })).json().items[0];
const status = province.app.mirror!.status();
const feed = (await (
  await fetch(`${centre.url}/api/platforms/me/library`, {
    headers: { authorization: `Bearer ${province.app.upstream.credentials()!.token}` },
  })
).json()) as { programs: Array<{ files: Array<{ size: number }> }> };
const bytes = feed.programs[0]!.files.reduce((n, f) => n + f.size, 0);
const effectiveKbps = (bytes * 8) / 1000 / mirrorS;
console.log(
  JSON.stringify(
    {
      lectureSeconds: SECONDS,
      shape: SHAPE,
      capKbps: KBPS,
      files: feed.programs[0]!.files.length,
      bytes,
      provinceStatus: listed.status,
      mirrorError: status.lastError,
      publishToReadySeconds: Number(mirrorS.toFixed(2)),
      effectiveKbps: Math.round(effectiveKbps),
      rateOverCap: Number((effectiveKbps / KBPS).toFixed(3)),
      referenceTranscodeSeconds: Number(transcodeS.toFixed(2)),
      mirrorOverTranscode: Number((mirrorS / transcodeS).toFixed(3)),
    },
    null,
    2,
  ),
);
await province.close();
await centre.close();
