// Attendance at the site, as one piece the agent plugs in:
//   const att = createAttendance({ dataDir, serverUrl, getToken, clock, log, heartbeatSource });
//   await app.register(att.plugin);   // the /local/* routes the kiosk calls
//   att.start();                      // uploader, heartbeats, stale-session sweep (when workers run)
//   await att.stop();                 // on close
// The queue lives in its own SQLite file (attendance.sqlite in the agent's data dir).
import fs from 'node:fs';
import path from 'node:path';
import type { Heartbeat } from '../../../common/attendance.ts';
import { AttendanceQueue } from './queue.ts';
import { ATTENDANCE_TARGET, uplinkUploader, type FlushResult, type Uploader, type UplinkOptions } from './uploader.ts';
import { HeartbeatSender, type HeartbeatSource } from './heartbeat.ts';
import { attendanceRoutes } from './routes.ts';

export { AttendanceQueue } from './queue.ts';
export type { FlushResult, Log } from './uploader.ts';

export interface AttendanceOptions extends UplinkOptions {
  /** Adds what the rest of the agent knows to each heartbeat (cache readiness, on-screen, last error). */
  heartbeatSource?: HeartbeatSource;
  agentVersion?: string;
  /** Program length in seconds from the manifest, if known: watched time is never sent longer. */
  programDuration?: (programId: number) => number | null | undefined;
  heartbeatIntervalMs?: number;
  /** A session the kiosk stopped reporting on for this long is closed at its last progress (default 2 min). */
  staleAfterMs?: number;
  sittingGapMs?: number;
}

export interface Attendance {
  /** Fastify plugin with the local routes; register it on the agent's local server. */
  plugin: ReturnType<typeof attendanceRoutes>;
  queue: AttendanceQueue;
  uploader: Uploader;
  heartbeat: HeartbeatSender;
  start(): void;
  stop(): Promise<void>;
  /** Sends every closed session now (ignores the backoff timer); resolves when done or failed. */
  flushNow(): Promise<FlushResult>;
  /** What is on screen according to the sessions the kiosk reports (for heartbeats). */
  onScreen(): NonNullable<Heartbeat['onScreen']>;
}

export const QUEUE_FILE = 'attendance.sqlite';

function freeDiskBytes(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

export function createAttendance(opts: AttendanceOptions): Attendance {
  const clock = opts.clock ?? Date.now;
  const serverUrl = typeof opts.serverUrl === 'function' ? opts.serverUrl : () => opts.serverUrl as string;
  const startedAt = clock();
  const queue = AttendanceQueue.open(path.join(opts.dataDir, QUEUE_FILE), {
    sittingGapMs: opts.sittingGapMs,
    programDuration: opts.programDuration,
  });

  // A session left open by a crash or power cut is closed at its last recorded progress, before anything else.
  const recovered = queue.recoverOpen();
  if (recovered > 0) opts.log.info({ sessions: recovered }, 'attendance sessions left open at shutdown closed at their last progress');

  const uploader = uplinkUploader(queue, ATTENDANCE_TARGET, opts);

  function onScreen(): NonNullable<Heartbeat['onScreen']> {
    const row = queue.db
      .prepare('SELECT program_id, channel_id, mode FROM sessions WHERE end_at IS NULL ORDER BY last_progress_at DESC LIMIT 1')
      .get() as { program_id: number; channel_id: number | null; mode: 'broadcast' | 'ondemand' } | undefined;
    return row ? { kind: row.mode, channelId: row.channel_id, programId: row.program_id } : { kind: 'menu' };
  }

  const heartbeat = new HeartbeatSender({
    serverUrl,
    getToken: opts.getToken,
    clock,
    log: opts.log,
    agentVersion: opts.agentVersion,
    startedAt,
    intervalMs: opts.heartbeatIntervalMs,
    random: opts.random,
    fetch: opts.fetch,
    lastError: () => uploader.status.lastError,
    // Our own knowledge first; whatever the agent knows better (on screen, cache, errors) overrides it.
    source: async () => ({ onScreen: onScreen(), freeDiskBytes: freeDiskBytes(opts.dataDir), ...((await opts.heartbeatSource?.()) ?? {}) }),
  });

  const plugin = attendanceRoutes({
    queue,
    clock,
    onClosed: () => uploader.nudge(),
    uploadStatus: () => ({ ...uploader.status }),
    heartbeatStatus: () => ({ ...heartbeat.status }),
  });

  let sweep: NodeJS.Timeout | null = null;
  const staleAfterMs = opts.staleAfterMs ?? 2 * 60_000;

  return {
    plugin,
    queue,
    uploader,
    heartbeat,
    onScreen,
    start() {
      uploader.start();
      heartbeat.start();
      sweep = setInterval(
        () => {
          const now = clock();
          if (queue.closeStale(now, staleAfterMs) > 0) uploader.nudge();
          queue.purgeFinished(now - 30 * 86_400_000);
        },
        Math.min(30_000, staleAfterMs),
      );
      sweep.unref?.();
    },
    async stop() {
      if (sweep) clearInterval(sweep);
      sweep = null;
      heartbeat.stop();
      await uploader.stop();
      queue.close();
    },
    flushNow: () => uploader.flush(),
  };
}
