// The web console for browser tests and the benchmark: builds it once per run when dist/console is missing or older
// than its sources, starts a real server on a socket (real SQLite file, real ffmpeg), and opens headless Chromium.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { makeServer, tempDir, ADMIN_PASSWORD, type TestServer } from './helpers.ts';
import { CHROMIUM_ARGS } from './kiosk-site.ts';
import type { Config } from '../server/config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const consoleSrc = path.join(root, 'server/console');
export const CONSOLE_DIST = path.join(root, 'dist/console');
/** Screenshots of every page, each run (git-ignored). */
export const SHOTS_DIR = path.join(root, 'test-output/console');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (!p.endsWith('plugin.ts') && !p.endsWith('summary.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs `vite build` of the console when the build is missing or older than a source file. */
export async function ensureConsoleBuilt(): Promise<void> {
  const index = path.join(CONSOLE_DIST, 'index.html');
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= newestMtime(consoleSrc)) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(consoleSrc, 'vite.config.ts'), logLevel: 'warn' });
}

export interface ConsoleServer {
  server: TestServer;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startConsoleServer(overrides: Partial<Config> = {}, port = 0): Promise<ConsoleServer> {
  await ensureConsoleBuilt();
  const server = await makeServer(overrides);
  await server.app.listen({ port, host: '127.0.0.1' });
  const addr = server.app.server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  return { server, url: `http://127.0.0.1:${actual}`, port: actual, close: () => server.close() };
}

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** Page errors and failed console messages seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function openConsole(viewport = { width: 1366, height: 768 }): Promise<ConsoleBrowser> {
  const profile = tempDir('dyb-console-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport,
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function signIn(page: Page, baseUrl: string, username = 'admin', password = ADMIN_PASSWORD, path = '/'): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('[data-test=login-submit]');
  await page.waitForSelector('.el-aside');
}

/** Writes a screenshot of the page as it is now into the run's folder. */
export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, `${name}.png`);
  await page.waitForTimeout(300); // let transitions settle
  await page.screenshot({ path: file });
  return file;
}

/**
 * Picks a program in a ProgramPicker (`picker`: its locator) as an operator does: types part of the title, waits for
 * that search's answer (the picker searches the catalog as one types, after a pause), then clicks the title and
 * waits for the list to close. A click on the list shown before the answer came once left it open over the dialog.
 */
export async function pickProgram(page: Page, picker: Locator, typed: string, title: string): Promise<void> {
  await picker.click();
  const answered = page.waitForResponse((r) => r.url().includes('/api/programs?') && decodeURIComponent(r.url()).includes(`q=${typed}`));
  await page.keyboard.type(typed);
  await answered;
  await page.locator('.el-select-dropdown__item:visible', { hasText: title }).first().click();
  await page.locator('.el-select-dropdown:visible').waitFor({ state: 'hidden' });
}
