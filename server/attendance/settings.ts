// Attendance settings from the environment (to be folded into server/config.ts by its owner).
import cron from 'node-cron';
export interface AttendanceSettings {
  /** Raw sessions are kept this many days (default two years); older rolled-up days keep only their aggregates. */
  retentionDays: number;
  /** When the nightly rollup and purge run, as a cron expression evaluated in the province zone. */
  rollupCron: string;
}

export function attendanceSettings(env: NodeJS.ProcessEnv = process.env): AttendanceSettings {
  const raw = env.ATTENDANCE_RETENTION_DAYS;
  const retentionDays = raw === undefined || raw === '' ? 730 : Number(raw);
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(`ATTENDANCE_RETENTION_DAYS must be a whole number of days >= 1, got "${raw}"`);
  }
  const rollupCron = env.ATTENDANCE_ROLLUP_CRON || '30 2 * * *';
  if (!cron.validate(rollupCron)) {
    throw new Error(`ATTENDANCE_ROLLUP_CRON "${rollupCron}" is not a cron expression (e.g. "30 2 * * *" for 02:30 every night)`);
  }
  return { retentionDays, rollupCron };
}
