// Fixtures of the two-tier tests: a centre and provinces as real servers on sockets (separate data dirs), and a
// TCP-level stand-in for the network between them that can pass, refuse (the centre down), or forward a request and
// then cut the answer off (the province restarted or the line dropped after the centre stored the send).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeServer, type TestServer } from '../../../testkit/helpers.ts';
import type { Config } from '../../../server/config.ts';

export type LineMode = 'pass' | 'down' | 'drop-answer';

export interface Line {
  url: string;
  mode: LineMode;
  forwarded: number;
  close(): Promise<void>;
}

/** An HTTP hop in front of `target` whose behaviour the test switches with `mode`. */
export async function line(target: string): Promise<Line> {
  const state: Line = { url: '', mode: 'pass', forwarded: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    if (state.mode === 'down') return void req.socket.destroy();
    const out = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      state.forwarded++;
      if (state.mode === 'drop-answer') {
        answer.resume();
        answer.on('end', () => req.socket.destroy()); // the centre has stored it; the province never hears so
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => req.socket.destroy());
    req.pipe(out);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return state;
}

export async function listening(overrides: Partial<Config> = {}): Promise<TestServer & { url: string }> {
  const s = await makeServer(overrides);
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...s, url: `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}` };
}

/** A province region at the centre, registered as a downstream platform: its id and one-time code. */
export async function registerProvince(
  centre: TestServer,
  name: string,
  parentId: number | null = null,
): Promise<{ regionId: number; platformId: number; code: string }> {
  const region = await centre.app.inject({
    method: 'POST',
    url: '/api/regions',
    headers: centre.auth,
    payload: { name, level: 'province', parentId },
  });
  if (region.statusCode !== 201) throw new Error(region.body);
  const created = await centre.app.inject({
    method: 'POST',
    url: '/api/platforms',
    headers: centre.auth,
    payload: { regionId: region.json().id },
  });
  if (created.statusCode !== 201) throw new Error(created.body);
  return { regionId: region.json().id, platformId: created.json().id, code: created.json().pairingCode };
}
