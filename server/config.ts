// The one place that reads the server's environment. Every other module receives a Config.
import path from 'node:path';
import cron from 'node-cron';
import { DateTime } from 'luxon';
import { parseDownloadWindow } from '../common/download-window.ts';

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
  /** Where rendered channel cards are kept by content and reused (SLATE_CACHE_DIR); unset: each is encoded. */
  slateCacheDir?: string;
  maxUploadBytes: number;
  /** IANA zone in which schedules, recurring slots, cron jobs and reports are evaluated. */
  provinceTz: string;
  logLevel: string;
  /** Raw viewing sessions are kept this many days; older rolled-up days keep only their aggregates. */
  attendanceRetentionDays: number;
  /** When the nightly attendance rollup and purge run: a cron expression in the province zone. */
  attendanceRollupCron: string;
  /** Absolute base URL of the server as the public sees it (PUBLIC_URL), for /channels.m3u and /epg.xml; unset: the Host header. */
  publicUrl: string | undefined;
  /** Domain part of XMLTV channel ids (XMLTV_ID_DOMAIN): channel 1 is "1.<domain>" in /epg.xml and /channels.m3u. */
  xmltvIdDomain: string;
  /**
   * Which peers may set X-Forwarded-For (TRUST_PROXY): false (default: the socket address is the client), a hop
   * count, or a comma list of proxy addresses / CIDRs (e.g. "127.0.0.1,10.0.0.0/8"). Rate limits key on the result.
   */
  trustProxy: false | number | string;
  /** Whole request (headers and body) must arrive within this (REQUEST_TIMEOUT_MS); big files go through tus. */
  requestTimeoutMs: number;
  /** A socket silent this long is closed (CONNECTION_TIMEOUT_MS); held long polls extend their own socket. */
  connectionTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (KEEP_ALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
  /** Requests a minute one site may make on /api/sites/me/* (SITE_RATE_LIMIT). */
  siteRateLimitPerMinute: number;
  /** Nightly online backups of the database (server/db/backup.ts): where, how many kept, when (province zone). */
  backupDir: string;
  backupKeep: number;
  backupCron: string;
  /**
   * A superseded media version is kept at least this long after the switch (MEDIA_VERSION_GRACE_HOURS), so sites
   * that fetched a manifest naming it can finish; longer while a channel's live window still names it.
   */
  mediaVersionGraceHours: number;
  /** Start background workers (transcode queue, cron jobs). Tests switch them on when they need them. */
  startWorkers: boolean;
  // Admission control (server/admission.ts): site routes answer 503 + Retry-After while a threshold below is
  // passed for overloadSustainedSamples samples in a row. 0 switches a threshold off; all 0: no admission control.
  /** Mean event-loop delay per sample, ms (OVERLOAD_MAX_EVENT_LOOP_DELAY_MS, default 1000: every answer a second late). */
  overloadMaxEventLoopDelayMs: number;
  /** Event-loop utilisation per sample, 0..1 (OVERLOAD_MAX_EVENT_LOOP_UTILIZATION, default 0: off; e.g. 0.97). */
  overloadMaxEventLoopUtilization: number;
  /** V8 heap in use, bytes (OVERLOAD_MAX_HEAP_MB in MB, default 0: off). */
  overloadMaxHeapBytes: number;
  /** How long one sample is, ms (OVERLOAD_SAMPLE_MS, default 1000). */
  overloadSampleMs: number;
  /** Samples in a row over a threshold before sites are turned away (OVERLOAD_SUSTAINED_SAMPLES, default 5). */
  overloadSustainedSamples: number;
  /** Retry-After sent, seconds; each answer adds up to as much again at random (OVERLOAD_RETRY_AFTER_S, default 30). */
  overloadRetryAfterSeconds: number;
  // The upstream link (issue 13): set on a provincial server that follows a central platform.
  /** Base URL of the central server (UPSTREAM_URL); unset: this server is a centre or stands alone. */
  upstreamUrl: string | undefined;
  /** One-time code from the centre (UPSTREAM_PAIR_CODE), used once at start while the link is not paired. */
  upstreamPairCode: string | undefined;
  /** When the figures go up each night (UPSTREAM_SEND_CRON, province zone; default after the attendance rollup). */
  upstreamSendCron: string;
  /** Deepest region level whose figures leave the province (UPSTREAM_FIGURES_LEVEL, default county). */
  upstreamFiguresLevel: 'province' | 'prefecture' | 'county';
  /** Days back that are recomputed and sent again when they changed (UPSTREAM_RESEND_DAYS, default 31). */
  upstreamResendDays: number;
  /** When the mirror may fetch central media (UPSTREAM_DOWNLOAD_WINDOW 'HH:MM-HH:MM', province zone; default all day). */
  upstreamDownloadWindow: string;
  /** Cap on the mirror's downloads from the centre, kbit/s (UPSTREAM_BANDWIDTH_KBPS; default 0: no cap). */
  upstreamBandwidthKbps: number;
  /** How often the mirror asks the centre for its library feed, seconds (UPSTREAM_MIRROR_POLL_S, default 300). */
  upstreamMirrorPollSeconds: number;
}

/** A fraction 0..1 from the environment (0 or unset: the fallback). */
function fraction(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1)
    throw new Error(`${name} must be a fraction from 0 (off) to below 1, e.g. 0.97; got "${value}"`);
  return n;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${value}"`);
  return Math.floor(n);
}

function figuresLevel(value: string | undefined): Config['upstreamFiguresLevel'] {
  const v = value || 'county';
  if (v !== 'province' && v !== 'prefecture' && v !== 'county')
    throw new Error(`UPSTREAM_FIGURES_LEVEL must be province, prefecture or county (no deeper figures leave a province); got "${v}"`);
  return v;
}

/** TRUST_PROXY: unset, '', '0', 'false' -> off; a whole number -> hops; else a list of addresses/CIDRs. */
export function parseTrustProxy(value: string | undefined): false | number | string {
  const v = (value ?? '').trim();
  if (v === '' || v === '0' || v.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (v.toLowerCase() === 'true')
    throw new Error(
      'TRUST_PROXY=true would let any client forge X-Forwarded-For: give the proxy addresses (e.g. 10.0.0.5) or a hop count (1)',
    );
  const entries = v
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.find((e) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(e) && !['loopback', 'linklocal', 'uniquelocal'].includes(e));
  if (bad) throw new Error(`TRUST_PROXY entry "${bad}" is not an address or CIDR (e.g. 10.0.0.5 or 10.0.0.0/8) nor a hop count`);
  return entries.join(',');
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
    slateCacheDir: env.SLATE_CACHE_DIR ? path.resolve(env.SLATE_CACHE_DIR) : undefined,
    maxUploadBytes: int(env.MAX_UPLOAD_BYTES, 8 * 1024 ** 3, 'MAX_UPLOAD_BYTES'),
    provinceTz: env.TZ_PROVINCE || 'Asia/Shanghai',
    logLevel: env.LOG_LEVEL || 'info',
    attendanceRetentionDays: int(env.ATTENDANCE_RETENTION_DAYS, 731, 'ATTENDANCE_RETENTION_DAYS'),
    attendanceRollupCron: env.ATTENDANCE_ROLLUP_CRON || '30 2 * * *',
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined,
    xmltvIdDomain: (env.XMLTV_ID_DOMAIN || 'dyb.example').toLowerCase(),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    requestTimeoutMs: int(env.REQUEST_TIMEOUT_MS, 120_000, 'REQUEST_TIMEOUT_MS'),
    connectionTimeoutMs: int(env.CONNECTION_TIMEOUT_MS, 60_000, 'CONNECTION_TIMEOUT_MS'),
    keepAliveTimeoutMs: int(env.KEEP_ALIVE_TIMEOUT_MS, 65_000, 'KEEP_ALIVE_TIMEOUT_MS'),
    siteRateLimitPerMinute: Math.max(1, int(env.SITE_RATE_LIMIT, 120, 'SITE_RATE_LIMIT')),
    backupDir: path.resolve(env.BACKUP_DIR || path.join(dataDir, 'backups')),
    backupKeep: Math.max(1, int(env.BACKUP_KEEP, 7, 'BACKUP_KEEP')),
    backupCron: env.BACKUP_CRON || '15 3 * * *',
    mediaVersionGraceHours: int(env.MEDIA_VERSION_GRACE_HOURS, 48, 'MEDIA_VERSION_GRACE_HOURS'),
    startWorkers: true,
    overloadMaxEventLoopDelayMs: int(env.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS, 1000, 'OVERLOAD_MAX_EVENT_LOOP_DELAY_MS'),
    overloadMaxEventLoopUtilization: fraction(env.OVERLOAD_MAX_EVENT_LOOP_UTILIZATION, 0, 'OVERLOAD_MAX_EVENT_LOOP_UTILIZATION'),
    overloadMaxHeapBytes: int(env.OVERLOAD_MAX_HEAP_MB, 0, 'OVERLOAD_MAX_HEAP_MB') * 1024 * 1024,
    overloadSampleMs: Math.max(10, int(env.OVERLOAD_SAMPLE_MS, 1000, 'OVERLOAD_SAMPLE_MS')),
    overloadSustainedSamples: Math.max(1, int(env.OVERLOAD_SUSTAINED_SAMPLES, 5, 'OVERLOAD_SUSTAINED_SAMPLES')),
    overloadRetryAfterSeconds: Math.max(1, int(env.OVERLOAD_RETRY_AFTER_S, 30, 'OVERLOAD_RETRY_AFTER_S')),
    upstreamUrl: env.UPSTREAM_URL ? env.UPSTREAM_URL.replace(/\/+$/, '') : undefined,
    upstreamPairCode: env.UPSTREAM_PAIR_CODE || undefined,
    upstreamSendCron: env.UPSTREAM_SEND_CRON || '50 2 * * *',
    upstreamFiguresLevel: figuresLevel(env.UPSTREAM_FIGURES_LEVEL),
    upstreamResendDays: Math.max(1, int(env.UPSTREAM_RESEND_DAYS, 31, 'UPSTREAM_RESEND_DAYS')),
    upstreamDownloadWindow: env.UPSTREAM_DOWNLOAD_WINDOW || '00:00-00:00',
    upstreamBandwidthKbps: int(env.UPSTREAM_BANDWIDTH_KBPS, 0, 'UPSTREAM_BANDWIDTH_KBPS'),
    upstreamMirrorPollSeconds: Math.max(5, int(env.UPSTREAM_MIRROR_POLL_S, 300, 'UPSTREAM_MIRROR_POLL_S')),
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
  if (merged.requestTimeoutMs < 1000) throw new Error('REQUEST_TIMEOUT_MS must be at least 1000 (ms)');
  if (merged.attendanceRetentionDays < 1) throw new Error('ATTENDANCE_RETENTION_DAYS must be a whole number of days >= 1');
  if (!cron.validate(merged.attendanceRollupCron)) {
    throw new Error(
      `ATTENDANCE_ROLLUP_CRON "${merged.attendanceRollupCron}" is not a cron expression (e.g. "30 2 * * *" for 02:30 every night)`,
    );
  }
  if (merged.publicUrl !== undefined && !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i.test(merged.publicUrl)) {
    throw new Error(`PUBLIC_URL "${merged.publicUrl}" must be an absolute http(s) URL without query, e.g. https://tv.example.org`);
  }
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(merged.xmltvIdDomain)) {
    throw new Error(
      `XMLTV_ID_DOMAIN "${merged.xmltvIdDomain}" must be a domain name such as dyb.example (XMLTV ids are <number>.<domain>)`,
    );
  }
  if (merged.upstreamUrl !== undefined && !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i.test(merged.upstreamUrl)) {
    throw new Error(`UPSTREAM_URL "${merged.upstreamUrl}" must be the central server's absolute http(s) URL, e.g. https://central.example`);
  }
  if (!parseDownloadWindow(merged.upstreamDownloadWindow)) {
    throw new Error(
      `UPSTREAM_DOWNLOAD_WINDOW "${merged.upstreamDownloadWindow}" must be HH:MM-HH:MM, e.g. 01:00-06:00 (00:00-00:00: all day)`,
    );
  }
  if (!cron.validate(merged.upstreamSendCron)) {
    throw new Error(`UPSTREAM_SEND_CRON "${merged.upstreamSendCron}" is not a cron expression (e.g. "50 2 * * *")`);
  }
  return merged;
}
