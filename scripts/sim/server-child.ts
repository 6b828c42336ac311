// The origin as its own process (node + tsx, as `npm run dev` runs it) on 127.0.0.1, so its CPU is its own:
// read from /proc/<pid>/stat (user + system ticks), the same figure process.cpuUsage() gives inside it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { OriginProbeReport } from './origin-probe.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TICKS_PER_S = 100; // USER_HZ on Linux

export interface ServerChild {
  port: number;
  url: string;
  /** CPU seconds (user + system) the server has used so far. */
  cpuSeconds(): number;
  /** What scripts/sim/origin-probe.ts measured inside the server so far (started with `probeFile`). */
  probe(): Promise<OriginProbeReport>;
  stop(): Promise<void>;
}

export async function startServerChild(o: {
  dataDir: string;
  port: number;
  adminPassword: string;
  env?: Record<string, string>;
  /** Load scripts/sim/origin-probe.ts into the server; it writes its report here when asked. */
  probeFile?: string;
}): Promise<ServerChild> {
  const probeArgs = o.probeFile ? ['--import', pathToFileURL(path.join(ROOT, 'scripts/sim/origin-probe.ts')).href] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...probeArgs, path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(o.port),
      HOST: '127.0.0.1',
      DATA_DIR: o.dataDir,
      DEMO: '0',
      LOG_LEVEL: 'warn',
      ADMIN_PASSWORD: o.adminPassword,
      ...(o.probeFile ? { SIM_PROBE_FILE: o.probeFile } : {}),
      ...o.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${stderr}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(o.port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the server did not listen on ${o.port} within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port: o.port,
    url: `http://127.0.0.1:${o.port}`,
    cpuSeconds() {
      const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // utime, stime (fields 14 and 15 of stat)
    },
    async probe() {
      if (!o.probeFile) throw new Error('the server was started without the probe');
      fs.rmSync(o.probeFile, { force: true });
      child.kill('SIGUSR2');
      for (let i = 0; i < 300 && !fs.existsSync(o.probeFile); i++) await new Promise((r) => setTimeout(r, 100));
      return JSON.parse(fs.readFileSync(o.probeFile, 'utf8')) as OriginProbeReport;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
