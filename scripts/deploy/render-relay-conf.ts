// Renders scripts/deploy/nginx-relay.conf (the county relay) with its placeholders filled, and, for a relay run
// outside the system's nginx (tests, the province simulation), the small main config that includes it.
//   node --import tsx scripts/deploy/render-relay-conf.ts --origin tv.example:80 --port 8080 \
//        --cache-dir /var/cache/dyb-relay --max-size 400g --log-dir /var/log/nginx > /etc/nginx/conf.d/dyb-relay.conf
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RELAY_TEMPLATE = fileURLToPath(new URL('./nginx-relay.conf', import.meta.url));

export interface RelayConfVars {
  /** host:port of the provincial server. */
  origin: string;
  port: number;
  cacheDir: string;
  /** nginx size, e.g. '400g'. */
  cacheMaxSize: string;
  logDir: string;
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;
const SIZE = /^\d+[kmgKMG]?$/;
const SAFE_PATH = /^\/[^\s;{}'"$]*$/;

/** The template text with every ${RELAY_*} placeholder replaced; throws on a value nginx would misread. */
export function renderRelayConf(vars: RelayConfVars, template = fs.readFileSync(RELAY_TEMPLATE, 'utf8')): string {
  if (!HOST_PORT.test(vars.origin)) throw new Error(`origin "${vars.origin}" must be host:port, e.g. tv.province.example:80`);
  if (!Number.isInteger(vars.port) || vars.port < 1 || vars.port > 65535) throw new Error(`port ${vars.port} must be 1-65535`);
  if (!SIZE.test(vars.cacheMaxSize)) throw new Error(`cache max size "${vars.cacheMaxSize}" must be an nginx size, e.g. 400g`);
  for (const [name, dir] of [
    ['cache dir', vars.cacheDir],
    ['log dir', vars.logDir],
  ]) {
    if (!SAFE_PATH.test(dir)) throw new Error(`${name} "${dir}" must be an absolute path without spaces, quotes, ; { } or $`);
  }
  const values: Record<string, string> = {
    RELAY_ORIGIN: vars.origin,
    RELAY_PORT: String(vars.port),
    RELAY_CACHE_DIR: vars.cacheDir,
    RELAY_CACHE_MAX_SIZE: vars.cacheMaxSize,
    RELAY_LOG_DIR: vars.logDir,
  };
  // Only the placeholders outside comments: the header documents them by name.
  return template
    .split('\n')
    .map((line) => (line.trimStart().startsWith('#') ? line : line.replace(/\$\{(RELAY_[A-Z_]+)\}/g, (m, k: string) => values[k] ?? m)))
    .join('\n');
}

/**
 * Writes `dir`/nginx.conf (a main config: pid, temp paths and logs inside `dir`, not daemonised) and
 * `dir`/dyb-relay.conf (the rendered relay), so `nginx -p dir -c dir/nginx.conf` runs a relay without root's
 * system paths. Returns the main config's path.
 */
export function writeStandaloneRelay(dir: string, vars: Omit<RelayConfVars, 'logDir'>): string {
  for (const sub of ['logs', 'tmp', vars.cacheDir]) fs.mkdirSync(path.resolve(dir, sub), { recursive: true });
  const relay = path.join(dir, 'dyb-relay.conf');
  fs.writeFileSync(relay, renderRelayConf({ ...vars, logDir: path.join(dir, 'logs') }));
  const tmp = path.join(dir, 'tmp');
  const main = [
    // As root, workers would otherwise run as nobody and could not write a cache dir made by this process.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    'daemon off;',
    'worker_processes 1;',
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${path.join(dir, 'logs', 'error.log')} warn;`,
    'events { worker_connections 4096; }',
    'http {',
    `  client_body_temp_path ${tmp}/body;`,
    `  proxy_temp_path ${tmp}/proxy;`,
    `  fastcgi_temp_path ${tmp}/fastcgi;`,
    `  uwsgi_temp_path ${tmp}/uwsgi;`,
    `  scgi_temp_path ${tmp}/scgi;`,
    `  include ${relay};`,
    '}',
    '',
  ].join('\n');
  const mainPath = path.join(dir, 'nginx.conf');
  fs.writeFileSync(mainPath, main);
  return mainPath;
}

function argValue(args: string[], name: string, fallback?: string): string {
  const i = args.indexOf(name);
  const v = i >= 0 ? args[i + 1] : fallback;
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  try {
    process.stdout.write(
      renderRelayConf({
        origin: argValue(args, '--origin'),
        port: Number(argValue(args, '--port', '8080')),
        cacheDir: argValue(args, '--cache-dir', '/var/cache/dyb-relay'),
        cacheMaxSize: argValue(args, '--max-size', '400g'),
        logDir: argValue(args, '--log-dir', '/var/log/nginx'),
      }),
    );
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
}
