// Starts the provincial server: opens the data dir, makes the first operator, listens.
import { loadConfig } from './config.ts';
import { buildApp } from './app.ts';
import { ensureAdmin } from './auth/users.ts';

export async function startServer(config = loadConfig()) {
  const app = await buildApp(config);
  const admin = await ensureAdmin(app.db, config.adminPassword);
  if (admin.generatedPassword)
    app.log.warn({ username: 'admin', password: admin.generatedPassword }, 'created operator account admin; this password is shown once');
  else if (admin.created) app.log.info({ username: 'admin' }, 'created operator account admin with ADMIN_PASSWORD');
  await app.listen({ port: config.port, host: config.host });
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
