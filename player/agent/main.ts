// The site agent as a program: `AGENT_PAIR_CODE=CODE npm run agent -- --server URL` (or AGENT_* environment
// variables). Pairs once, then runs unattended until stopped (SIGTERM from systemd, or Ctrl-C).
import readline from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startAgent, DEFAULT_QUOTA_BYTES } from './agent.ts';
import { prettyTransport } from '../../common/pretty-logs.ts';

const USAGE = `Usage: AGENT_PAIR_CODE=CODE npm run agent -- --server URL [--port 8090] [--data-dir ./agent-data] [--quota-mb N]

  --server URL     the provincial server (env AGENT_SERVER)
  env AGENT_PAIR_CODE  one-time pairing code shown when the site was registered; only the first start needs it.
                   Without it, on a terminal the agent asks for the code. (--pair CODE works too, but other
                   users of the PC can read it in \`ps\`.)
  --port N         local port for the kiosk and playlists, on 127.0.0.1 (env AGENT_PORT, default 8090)
  --data-dir DIR   local database, media cache and kiosk page (env AGENT_DATA_DIR, default ./agent-data)
  --quota-mb N     disk quota for the media cache in MiB (env AGENT_DISK_QUOTA_MB, default ${DEFAULT_QUOTA_BYTES / 1024 ** 2})
  --bandwidth-kbps N  override the bandwidth cap the server sets for this site (env AGENT_BANDWIDTH_KBPS)
  --lang zh-CN|en  kiosk language at start (env AGENT_LANG, default zh-CN)
  env AGENT_HOST (default 127.0.0.1), AGENT_ALLOWED_HOSTS (more host names the kiosk may use, comma-separated),
      AGENT_SYNC_SECONDS (manifest poll when the server does not long-poll, default 60), LOG_LEVEL (default info)`;

/** Asks for the pairing code on the terminal (not echoed into the shell history or `ps`). */
async function promptPairCode(): Promise<string | undefined> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question('This agent is not paired yet. Pairing code (shown when the site was registered): ')).trim() || undefined;
  } finally {
    rl.close();
  }
}

function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string' },
      pair: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'quota-mb': { type: 'string' },
      'bandwidth-kbps': { type: 'string' },
      lang: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const env = process.env;
  const log = pino({ name: 'agent', level: env.LOG_LEVEL || 'info', transport: prettyTransport() });
  const serverUrl = values.server ?? env.AGENT_SERVER;
  if (!serverUrl) {
    process.stderr.write(`The server is missing: pass --server URL or set AGENT_SERVER.\n\n${USAGE}\n`);
    process.exit(2);
  }
  try {
    new URL(serverUrl);
  } catch {
    process.stderr.write(`--server "${serverUrl}" is not a URL like http://broadcast.example.org:8080\n`);
    process.exit(2);
  }
  const quotaMb = positiveNumber(values['quota-mb'] ?? env.AGENT_DISK_QUOTA_MB, 'AGENT_DISK_QUOTA_MB');
  const syncSeconds = positiveNumber(env.AGENT_SYNC_SECONDS, 'AGENT_SYNC_SECONDS');
  if (values.pair) log.warn('pairing: --pair puts the code where other users can read it (ps); prefer AGENT_PAIR_CODE or the prompt');
  const agent = await startAgent({
    serverUrl,
    pairCode: values.pair ?? (env.AGENT_PAIR_CODE || undefined),
    askPairCode: process.stdin.isTTY ? promptPairCode : undefined,
    allowedHosts: (env.AGENT_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
    port: positiveNumber(values.port ?? env.AGENT_PORT, 'AGENT_PORT') ?? 8090,
    host: env.AGENT_HOST || '127.0.0.1',
    dataDir: values['data-dir'] ?? env.AGENT_DATA_DIR ?? './agent-data',
    quotaBytes: quotaMb !== undefined ? quotaMb * 1024 ** 2 : undefined,
    syncIntervalMs: syncSeconds !== undefined ? Math.max(5, syncSeconds) * 1000 : undefined,
    bandwidthKbps: positiveNumber(values['bandwidth-kbps'] ?? env.AGENT_BANDWIDTH_KBPS, 'AGENT_BANDWIDTH_KBPS'),
    lang: values.lang ?? env.AGENT_LANG ?? 'zh-CN',
    logger: log,
  });
  log.info({ kiosk: `${agent.url}/` }, 'agent: running; point the kiosk browser at this URL');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'agent: stopping');
    agent.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'agent: error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
