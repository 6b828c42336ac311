// Shared test fixtures: a server on a fresh data dir (real SQLite file), signed-in users.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../server/config.ts';
import { buildApp } from '../server/app.ts';
import { ensureAdmin, createUser } from '../server/auth/users.ts';
import type { Role } from '../server/auth/guards.ts';

export const ADMIN_PASSWORD = 'admin-test-password';

export function tempDir(prefix = 'dyb-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestServer {
  app: FastifyInstance;
  config: Config;
  /** Bearer token of the operator `admin`. */
  token: string;
  /** Authorization header object for admin. */
  auth: { authorization: string };
  close(): Promise<void>;
}

/** Builds the app on a fresh (or given) data dir. Background workers stay off unless asked for. */
export async function makeServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDir();
  // Admission control off unless a test asks: a test machine shared by many runs is slow, not overloaded.
  const config = loadConfig(
    {},
    {
      logLevel: 'warn',
      startWorkers: false,
      demo: false,
      overloadMaxEventLoopDelayMs: 0,
      // The suite's shared card cache (.taprc's test-env): the same card is rendered once per run.
      ...(process.env.SLATE_CACHE_DIR ? { slateCacheDir: path.resolve(process.env.SLATE_CACHE_DIR) } : {}),
      ...overrides,
      dataDir,
    },
  );
  const app = await buildApp(config, { logger: false });
  await ensureAdmin(app.db, ADMIN_PASSWORD);
  await app.ready();
  const token = await loginToken(app, 'admin', ADMIN_PASSWORD);
  return {
    app,
    config,
    token,
    auth: { authorization: `Bearer ${token}` },
    close: () => app.close(),
  };
}

export async function loginToken(app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  return res.json().token;
}

/** Creates a user directly and returns its Authorization header. */
export async function userAuth(app: FastifyInstance, username: string, role: Role, regionId: number | null = null) {
  const password = `${username}-password`;
  await createUser(app.db, { username, password, role, regionId });
  return { authorization: `Bearer ${await loginToken(app, username, password)}` };
}
