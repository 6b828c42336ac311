// `npm run build` and the offline site package end to end: build everything into a directory of its own (what
// production runs: compiled server and agent, the kiosk bundle, the console with its precompressed assets), pack,
// unpack, install with install.sh
// (DESTDIR, so no root), then start the agent from the installed copy with plain `node` (no tsx, no TypeScript,
// no registry) against a real server, pair it through AGENT_PAIR_CODE, and load the kiosk page it serves.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../../testkit/helpers.ts';
import { packSite } from '../../../scripts/pack-site.ts';
import { rmDir, serverWithSite } from '../agent/agent-fixture.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

t.test('a site installs from the package alone and its agent pairs and serves the kiosk', async (t) => {
  const work = tempDir('dyb-site-pack-');
  t.teardown(() => rmDir(work));
  // A build of its own, not dist/: other test files serve dist/kiosk and dist/console meanwhile.
  const buildDir = path.join(work, 'dist');
  // The build's compilers run without tap's coverage collection (their coverage is not the product's).
  sh(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'build.ts'), '--out-dir', buildDir], { NODE_V8_COVERAGE: undefined });
  for (const f of ['.built', 'server/main.js', 'player/agent/main.js', 'kiosk/kiosk.js', 'kiosk/index.html', 'console/index.html']) {
    t.ok(fs.existsSync(path.join(buildDir, f)), `the build holds ${f}`);
  }
  const assets = fs.readdirSync(path.join(buildDir, 'console', 'assets'));
  const scripts = assets.filter((f) => f.endsWith('.js'));
  t.ok(scripts.length > 0, 'the console is bundled');
  t.same(
    scripts.filter((f) => !assets.includes(`${f}.gz`) || !assets.includes(`${f}.br`)),
    [],
    'every console script is precompressed beside itself',
  );

  const { archive, bytes } = packSite({ out: path.join(work, 'site.tar.gz'), dist: buildDir });
  t.ok(bytes < 30 * 1024 ** 2, `the package is under 30 MB (${(bytes / 1024 ** 2).toFixed(1)} MB)`);

  const unpacked = path.join(work, 'usb');
  fs.mkdirSync(unpacked);
  sh('tar', ['-xzf', archive, '-C', unpacked]);
  const [top] = fs.readdirSync(unpacked);
  const installed = path.join(work, 'root');
  const said = sh('sh', [path.join(unpacked, top!, 'install.sh'), '/opt/dyb-site'], { DESTDIR: installed });
  t.match(said, /AGENT_PAIR_CODE/, 'install.sh says how to pair');
  const prefix = path.join(installed, 'opt', 'dyb-site');
  const unit = fs.readFileSync(path.join(installed, 'etc', 'systemd', 'system', 'dyb-agent.service'), 'utf8');
  t.match(unit, /^ExecStart=\S*node --enable-source-maps \/opt\/dyb-site\/player\/agent\/main\.js$/m, 'the unit runs the compiled agent');
  t.notOk(/tsx/.test(unit), 'the unit does not use tsx');
  t.ok(fs.existsSync(path.join(installed, 'etc', 'systemd', 'system', 'dyb-kiosk.service')), 'the kiosk unit is installed');
  t.ok(fs.existsSync(path.join(prefix, 'kiosk-launcher.sh')), 'the Chromium launcher is installed');
  for (const devOnly of ['tsx', 'typescript', 'tap', 'esbuild', 'playwright-core'])
    t.notOk(fs.existsSync(path.join(prefix, 'node_modules', devOnly)), `${devOnly} is not in the package`);

  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  const dataDir = path.join(work, 'agent-data');
  const agent = spawn(process.execPath, [path.join(prefix, 'player', 'agent', 'main.js')], {
    cwd: prefix,
    env: {
      PATH: process.env.PATH,
      AGENT_SERVER: site.serverUrl,
      AGENT_PAIR_CODE: site.pairingCode,
      AGENT_PORT: '0',
      AGENT_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => agent.on('exit', resolve));
  t.teardown(async () => {
    agent.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  agent.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // The agent logs JSON lines (stdout is a pipe); the "running" line carries the kiosk URL.
  const kioskUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    agent.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /"kiosk":"(http:\/\/[^"]+)"/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`agent exited (${code}) before serving: ${stderr}${out}`)));
  });

  const page = await fetch(kioskUrl);
  t.equal(page.status, 200, 'the kiosk page answers 200');
  const html = await page.text();
  t.match(html, /kiosk\.js/, 'the page loads the kiosk bundle');
  const js = await fetch(new URL('kiosk.js', kioskUrl));
  t.equal(js.status, 200, 'the bundle answers 200');
  const built = fs.readFileSync(path.join(prefix, 'kiosk', 'kiosk.js'), 'utf8');
  t.ok(built.length > 10_000, 'the package holds the built kiosk bundle');
  t.equal(await js.text(), built, 'the agent serves the kiosk built at build time');

  const status = (await (await fetch(new URL('local/status', kioskUrl))).json()) as { paired: boolean; siteId: number; version: string };
  t.equal(status.paired, true, 'paired with AGENT_PAIR_CODE');
  t.equal(status.siteId, site.siteId, 'as the site registered on the server');
  t.equal(status.version, version, 'the agent knows its version');

  // The first heartbeat goes out right after pairing; the server's site-health report shows the version.
  let reported: string | null = null;
  for (let i = 0; i < 100 && reported === null; i++) {
    const res = await site.s.app.inject({ method: 'GET', url: '/api/reports/sites', headers: site.s.auth });
    const rows = (res.json() as { sites: Array<{ siteId: number; agentVersion: string | null }> }).sites;
    reported = rows.find((r) => r.siteId === site.siteId)?.agentVersion ?? null;
    if (reported === null) await new Promise((r) => setTimeout(r, 200));
  }
  t.equal(reported, version, 'the agent reports its version in heartbeats');
});
