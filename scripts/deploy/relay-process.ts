// Runs a county relay (stock nginx with scripts/deploy/nginx-relay.conf) as a child process on a free port, with
// its cache, logs and pid in a directory of its own: for the integration tests and the province simulation.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeStandaloneRelay } from './render-relay-conf.ts';

export const NGINX = process.env.NGINX_BIN || '/usr/sbin/nginx';

export interface RelayProcess {
  /** Base URL the sites use, e.g. http://127.0.0.1:40123/ (what a region's relayUrl holds). */
  url: string;
  port: number;
  dir: string;
  cacheDir: string;
  accessLog: string;
  /** Stops nginx (SIGQUIT, then SIGKILL) and waits for it; keeps the directory. */
  stop(): Promise<void>;
}

export interface RelayOptions {
  /** host:port of the origin. */
  origin: string;
  /** Defaults to a fresh temp dir. */
  dir?: string;
  /** Defaults to a free port. */
  port?: number;
  cacheMaxSize?: string;
}

/** A port nothing listens on right now (the kernel picks it; nginx then binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitListening(port: number, child: ChildProcess, errorLog: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) break;
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const log = fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8').slice(-2000) : '';
  throw new Error(`nginx relay did not start on port ${port} (exit ${child.exitCode}): ${log}`);
}

export async function startRelay(opts: RelayOptions): Promise<RelayProcess> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-relay-'));
  const port = opts.port ?? (await freePort());
  const cacheDir = path.join(dir, 'cache');
  const conf = writeStandaloneRelay(dir, { origin: opts.origin, port, cacheDir, cacheMaxSize: opts.cacheMaxSize ?? '1g' });
  const errorLog = path.join(dir, 'logs', 'error.log');
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', errorLog], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitListening(port, child, errorLog);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message} ${stderr}`);
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    dir,
    cacheDir,
    accessLog: path.join(dir, 'logs', 'dyb-relay-access.log'),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGQUIT'); // graceful: finishes what it is sending
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}
