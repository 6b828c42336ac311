// Runs the attendance part of the agent on its own: the local routes plus the uploader and heartbeats, or one
// flush of the queue. For a site administrator (send what is queued now: `--flush`) and for the fault tests,
// which kill this process between upload and acknowledgement.
//   node --import tsx player/agent/attendance/cli.ts --data-dir DIR [--server URL --token TOKEN] [--port N] [--flush]
// Environment equivalents: AGENT_DATA_DIR, AGENT_SERVER, AGENT_SITE_TOKEN, AGENT_PORT. Without --server/--token
// the pairing the agent stored in its data dir is used.
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { parseArgs } from 'node:util';
import { createAttendance } from './index.ts';
import { AgentStore, openAgentDb } from '../store.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    server: { type: 'string' },
    token: { type: 'string' },
    port: { type: 'string' },
    flush: { type: 'boolean', default: false },
    'upload-interval-ms': { type: 'string' },
    'stale-after-ms': { type: 'string' },
  },
});

const dataDir = values['data-dir'] ?? process.env.AGENT_DATA_DIR ?? './agent-data';
let server = values.server ?? process.env.AGENT_SERVER;
let token = values.token ?? process.env.AGENT_SITE_TOKEN ?? null;
const agentDbFile = path.join(dataDir, 'agent.sqlite');
if ((!server || !token) && fs.existsSync(agentDbFile)) {
  const db = openAgentDb(agentDbFile);
  const pairing = new AgentStore(db).pairing();
  db.close();
  server ??= pairing?.serverUrl;
  token ??= pairing?.token ?? null;
}
if (!server) {
  process.stderr.write('Give the server URL: --server http://host:8080 (or AGENT_SERVER), or point --data-dir at a paired agent\n');
  process.exit(2);
}
if (!token) process.stderr.write('No site token (--token, AGENT_SITE_TOKEN, or a paired agent data dir): sessions are queued, not sent\n');
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } });
const attendance = createAttendance({
  dataDir,
  serverUrl: server,
  getToken: () => token,
  log: app.log,
  uploadIntervalMs: num(values['upload-interval-ms']),
  staleAfterMs: num(values['stale-after-ms']),
});

if (values.flush) {
  const r = await attendance.flushNow();
  const counts = attendance.queue.counts();
  app.log.info({ ...r, ...counts }, 'attendance flush finished');
  await attendance.stop();
  process.exit(r.error ? 1 : 0);
}

await app.register(attendance.plugin);
app.addHook('onClose', async () => attendance.stop());
const port = num(values.port ?? process.env.AGENT_PORT) ?? 0;
const address = await app.listen({ port, host: '127.0.0.1' });
attendance.start();
// One plain line a supervisor (or a test) can wait for.
process.stdout.write(`attendance listening ${address}\n`);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void app.close().then(() => process.exit(0)));
