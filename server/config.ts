// The one place that reads the server's environment. Every other module receives a Config.
import path from 'node:path';
import cron from 'node-cron';
import { DateTime } from 'luxon';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** SQLite file; derived from dataDir. */
  dbPath: string;
  /** Media store (sources, HLS output, slates); derived from dataDir. */
  mediaDir: string;
  adminPassword: string | undefined;
  demo: boolean;
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  transcodeConcurrency: number;
  maxUploadBytes: number;
  /** IANA zone in which schedules, recurring slots, cron jobs and reports are evaluated. */
  provinceTz: string;
  logLevel: string;
  /** Raw viewing sessions are kept this many days; older rolled-up days keep only their aggregates. */
  attendanceRetentionDays: number;
  /** When the nightly attendance rollup and purge run: a cron expression in the province zone. */
  attendanceRollupCron: string;
  /** Nightly online backups of the database (server/db/backup.ts): where, how many kept, when (province zone). */
  backupDir: string;
  backupKeep: number;
  backupCron: string;
  /** Start background workers (transcode queue, cron jobs). Tests switch them on when they need them. */
  startWorkers: boolean;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${value}"`);
  return Math.floor(n);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const dataDir = path.resolve(overrides.dataDir ?? env.DATA_DIR ?? './data');
  const base: Config = {
    port: int(env.PORT, 8080, 'PORT'),
    host: env.HOST || '0.0.0.0',
    dataDir,
    dbPath: path.join(dataDir, 'broadcast.sqlite'),
    mediaDir: path.join(dataDir, 'media'),
    adminPassword: env.ADMIN_PASSWORD || undefined,
    demo: env.DEMO !== '0',
    ffmpegPath: env.FFMPEG_PATH || undefined,
    ffprobePath: env.FFPROBE_PATH || undefined,
    transcodeConcurrency: Math.max(1, int(env.TRANSCODE_CONCURRENCY, 1, 'TRANSCODE_CONCURRENCY')),
    maxUploadBytes: int(env.MAX_UPLOAD_BYTES, 8 * 1024 ** 3, 'MAX_UPLOAD_BYTES'),
    provinceTz: env.TZ_PROVINCE || 'Asia/Shanghai',
    logLevel: env.LOG_LEVEL || 'info',
    attendanceRetentionDays: int(env.ATTENDANCE_RETENTION_DAYS, 731, 'ATTENDANCE_RETENTION_DAYS'),
    attendanceRollupCron: env.ATTENDANCE_ROLLUP_CRON || '30 2 * * *',
    backupDir: path.resolve(env.BACKUP_DIR || path.join(dataDir, 'backups')),
    backupKeep: Math.max(1, int(env.BACKUP_KEEP, 7, 'BACKUP_KEEP')),
    backupCron: env.BACKUP_CRON || '15 3 * * *',
    startWorkers: true,
  };
  const merged = { ...base, ...overrides };
  // Paths derived from dataDir follow an overridden dataDir unless overridden themselves.
  if (overrides.dataDir && !overrides.dbPath) merged.dbPath = path.join(merged.dataDir, 'broadcast.sqlite');
  if (overrides.dataDir && !overrides.mediaDir) merged.mediaDir = path.join(merged.dataDir, 'media');
  if (overrides.dataDir && !overrides.backupDir && !env.BACKUP_DIR) merged.backupDir = path.join(merged.dataDir, 'backups');
  if (!cron.validate(merged.backupCron)) throw new Error(`BACKUP_CRON "${merged.backupCron}" is not a cron expression (e.g. "15 3 * * *")`);
  // luxon knows aliases (Asia/Chongqing, PRC) that Intl.supportedValuesOf leaves out.
  if (!DateTime.now().setZone(merged.provinceTz).isValid) {
    throw new Error(`TZ_PROVINCE "${merged.provinceTz}" is not an IANA time zone (e.g. Asia/Shanghai)`);
  }
  if (merged.attendanceRetentionDays < 1) throw new Error('ATTENDANCE_RETENTION_DAYS must be a whole number of days >= 1');
  if (!cron.validate(merged.attendanceRollupCron)) {
    throw new Error(`ATTENDANCE_ROLLUP_CRON "${merged.attendanceRollupCron}" is not a cron expression (e.g. "30 2 * * *" for 02:30 every night)`);
  }
  return merged;
}
