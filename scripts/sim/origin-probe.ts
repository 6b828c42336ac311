// Loaded into the simulated origin (node --import) to measure it from the inside, since the simulator shares its
// cores and its own pauses add to what it measures as a client: the origin's event-loop delay, and per request the
// time from its headers being parsed to the last byte of the answer handed to the kernel. On SIGUSR2 it writes what
// it holds to SIM_PROBE_FILE as JSON (OriginProbeReport). Not part of the product: only the simulation loads it.
import fs from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface OriginProbeReport {
  loopDelayMs: { p99: number; max: number };
  /** Per route label: [epoch ms the request arrived, ms to answer] pairs. */
  requests: Record<string, Array<[number, number]>>;
}

/** The simulation's route labels, as its client names them. */
function routeLabel(method: string | undefined, url: string | undefined): string {
  const path = (url ?? '').split('?')[0];
  const known: Record<string, string> = {
    '/api/sites/me/manifest': 'manifest',
    '/api/sites/me/catalog': 'catalog',
    '/api/sites/me/heartbeat': 'heartbeat',
    '/api/sites/me/attendance': 'attendance',
  };
  return `${method ?? 'GET'} ${known[path ?? ''] ?? 'other'}`;
}

const file = process.env.SIM_PROBE_FILE;
if (file) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const requests: OriginProbeReport['requests'] = {};
  const emit = http.Server.prototype.emit as (this: http.Server, event: string, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
    if (event === 'request') {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      const at = Date.now();
      const started = performance.now();
      res.once('finish', () => {
        const label = routeLabel(req.method, req.url);
        (requests[label] ??= []).push([at, performance.now() - started]);
      });
    }
    return emit.call(this, event, ...args);
  } as typeof http.Server.prototype.emit;
  process.on('SIGUSR2', () => {
    const report: OriginProbeReport = { loopDelayMs: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 }, requests };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(report));
    fs.renameSync(`${file}.tmp`, file);
  });
}
