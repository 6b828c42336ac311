// `npm run pack:site [-- --with-node] [--out FILE]`: one archive a village PC installs from alone (a USB stick,
// no registry): the compiled agent and the common code it imports, the built kiosk page, the agent's production
// dependencies copied from this machine's node_modules (so better-sqlite3 is the binary built here, for this
// platform and Node ABI), the systemd units, the Chromium kiosk launcher and install.sh. What goes in is found
// by following the compiled agent's imports, so a new import is packed without editing this file.
// --with-node adds this machine's node binary (bin/node) for PCs without a matching Node.js.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Dependencies used only while npm installs a package, never at run time.
const INSTALL_TIME_ONLY = new Set(['prebuild-install']);
const SKIP_FILE = /\.(d\.[cm]?ts|[cm]?ts|map|md|markdown)$/i;
const SKIP_DIR = new Set(['test', 'tests', '__tests__', 'docs', 'example', 'examples', 'benchmark', 'benchmarks', '.github']);

const IMPORT =
  /(?:^|[\n;])\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The compiled files the entry reaches through relative imports, and the packages it names. */
export function importGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? '';
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(packageName(spec));
    }
  };
  visit(entry);
  return { files: [...files].sort(), packages: [...packages].sort() };
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

interface Manifest {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readManifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

/** Node's lookup: <from>/node_modules/<name>, then each parent's, up to the repository. */
function resolvePackage(name: string, fromDir: string): string | null {
  for (let dir = fromDir; dir.startsWith(root); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === root) break;
  }
  return null;
}

/** Installed directories of the packages and everything they depend on at run time. */
export function dependencyClosure(names: string[]): string[] {
  const dirs = new Set<string>();
  const visit = (name: string, fromDir: string, optional: boolean) => {
    if (INSTALL_TIME_ONLY.has(name)) return;
    const dir = resolvePackage(name, fromDir);
    if (!dir) {
      if (optional) return;
      throw new Error(`${name} (needed by ${path.relative(root, fromDir) || 'the agent'}) is not installed: run npm ci`);
    }
    if (dirs.has(dir)) return;
    dirs.add(dir);
    const m = readManifest(dir);
    for (const dep of Object.keys(m.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(m.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const n of names) visit(n, root, false);
  return [...dirs].sort();
}

function copyPackage(src: string, dest: string): void {
  if (path.basename(src) === 'better-sqlite3') {
    // Its C sources and build intermediates are most of its size; at run time it loads only the addon.
    for (const part of ['package.json', 'lib', 'LICENSE']) fs.cpSync(path.join(src, part), path.join(dest, part), { recursive: true });
    fs.cpSync(path.join(src, 'build', 'Release', 'better_sqlite3.node'), path.join(dest, 'build', 'Release', 'better_sqlite3.node'));
    return;
  }
  fs.cpSync(src, dest, {
    recursive: true,
    filter: (p) => {
      const rel = path.relative(src, p);
      if (rel.split(path.sep)[0] === 'node_modules') return false; // nested packages are copied on their own
      const base = path.basename(p);
      if (fs.statSync(p).isDirectory()) return !SKIP_DIR.has(base);
      return !SKIP_FILE.test(base);
    },
  });
}

function run(cmd: string, args: string[], cwd = root): void {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

export interface PackOptions {
  /** The archive to write (default dist/dyb-site-<version>-<platform>-<arch>.tar.gz). */
  out?: string;
  withNode?: boolean;
  /** A finished build to pack (default: dist/, built first when missing or stale). */
  dist?: string;
}

export function packSite(opts: PackOptions = {}): { archive: string; bytes: number } {
  if (!opts.dist) run(process.execPath, [path.join(root, 'scripts', 'ensure-built.mjs')]);
  const dist = path.resolve(opts.dist ?? path.join(root, 'dist'));
  const version = readManifest(root).version;
  const name = `dyb-site-${version}-${process.platform}-${process.arch}`;
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-pack-'));
  const top = path.join(stage, name);
  try {
    const { files, packages } = importGraph(path.join(dist, 'player', 'agent', 'main.js'));
    for (const f of files) {
      const rel = path.relative(dist, f);
      fs.mkdirSync(path.dirname(path.join(top, rel)), { recursive: true });
      fs.copyFileSync(f, path.join(top, rel));
    }
    const deps: Record<string, string> = {};
    for (const dir of dependencyClosure(packages)) {
      const rel = path.relative(root, dir);
      copyPackage(dir, path.join(top, rel));
      if (packages.includes(rel.slice('node_modules/'.length))) deps[rel.slice('node_modules/'.length)] = readManifest(dir).version;
    }
    const nodeMajor = process.versions.node.split('.')[0];
    // The agent reads its version from here (reported in heartbeats); "type" makes the .js files ES modules.
    const pkg = { name: 'dyb-site', version, private: true, type: 'module', engines: { node: `${nodeMajor}.x` }, dependencies: deps };
    fs.writeFileSync(path.join(top, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    // better-sqlite3's binary works only with a Node of the same ABI; install.sh checks it.
    fs.writeFileSync(path.join(top, 'NODE_ABI'), `${process.versions.modules}\n`);
    fs.cpSync(path.join(dist, 'kiosk'), path.join(top, 'kiosk'), { recursive: true });
    fs.mkdirSync(path.join(top, 'systemd'));
    for (const unit of ['dyb-agent.service', 'dyb-kiosk.service'])
      fs.copyFileSync(path.join(root, 'scripts', 'systemd', unit), path.join(top, 'systemd', unit));
    fs.copyFileSync(path.join(root, 'scripts', 'kiosk-launcher.sh'), path.join(top, 'kiosk-launcher.sh'));
    fs.copyFileSync(path.join(root, 'scripts', 'site', 'install.sh'), path.join(top, 'install.sh'));
    fs.chmodSync(path.join(top, 'kiosk-launcher.sh'), 0o755);
    fs.chmodSync(path.join(top, 'install.sh'), 0o755);
    if (opts.withNode) {
      fs.mkdirSync(path.join(top, 'bin'));
      fs.copyFileSync(process.execPath, path.join(top, 'bin', 'node'));
      fs.chmodSync(path.join(top, 'bin', 'node'), 0o755);
    }
    const archive = path.resolve(opts.out ?? path.join(dist, `${name}.tar.gz`));
    fs.mkdirSync(path.dirname(archive), { recursive: true });
    run('tar', ['-czf', archive, '-C', stage, name]);
    return { archive, bytes: fs.statSync(archive).size };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, dist: { type: 'string' }, 'with-node': { type: 'boolean' } } });
  try {
    const { archive, bytes } = packSite({ out: values.out, dist: values.dist, withNode: values['with-node'] });
    process.stdout.write(`site package: ${path.relative(process.cwd(), archive)} (${(bytes / 1024 ** 2).toFixed(1)} MB)\n`);
  } catch (err) {
    process.stderr.write(`pack:site failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
