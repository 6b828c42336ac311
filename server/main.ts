// Starts the provincial server: opens the data dir, makes the first operator, starts the nightly backup, listens,
// then says where the console is and how to sign in.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config.ts';
import { buildApp } from './app.ts';
import { ensureAdmin } from './auth/users.ts';
import { SERVER_PID_FILE, scheduleBackups } from './db/backup.ts';
import { prettyTransport } from '../common/pretty-logs.ts';

/** Where the admin password comes from, in words for the start-up line. */
export function adminPasswordSource(admin: { created: boolean; generatedPassword?: string }): string {
  if (admin.generatedPassword) return `generated for this data dir, shown once: ${admin.generatedPassword}`;
  if (admin.created) return 'the ADMIN_PASSWORD environment variable';
  return 'as set when this data dir was created (ADMIN_PASSWORD applies to a new data dir only)';
}

export async function startServer(config = loadConfig()) {
  const app = await buildApp(config, { logger: { level: config.logLevel, transport: prettyTransport() } });
  const admin = await ensureAdmin(app.db, config.adminPassword);
  if (admin.generatedPassword)
    app.log.warn({ username: 'admin', password: admin.generatedPassword }, 'created operator account admin; this password is shown once');
  else if (admin.created) app.log.info({ username: 'admin' }, 'created operator account admin with ADMIN_PASSWORD');
  if (config.startWorkers) {
    const backups = scheduleBackups(app.db, config, app.log);
    app.addHook('onClose', async () => backups.stop());
  }
  // `npm run restore` refuses to replace the database of a server that is running (this file, a live pid).
  // Hooks can only be added before the server listens.
  const pidFile = path.join(config.dataDir, SERVER_PID_FILE);
  app.addHook('onClose', async () => fs.rmSync(pidFile, { force: true }));
  await app.listen({ port: config.port, host: config.host });
  fs.writeFileSync(pidFile, `${process.pid}\n`);
  app.log.info(
    { console: `http://localhost:${config.port}/`, username: 'admin', password: adminPasswordSource(admin) },
    `console: open http://localhost:${config.port}/ and sign in as admin`,
  );
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      app.log.info({ sig }, 'shutting down');
      void app.close().then(() => process.exit(0));
    });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startServer().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
