// Builds the web console ahead of time into static files (dist/console) that server/console/plugin.ts serves.
// `npx vite build --config server/console/vite.config.ts` from the repository root.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where the built console goes; the server plugin looks here (see consoleDir in plugin.ts). */
export const CONSOLE_OUT_DIR = path.resolve(here, '../../dist/console');

/** Writes .br and .gz beside each text asset, so the server sends them compressed without compressing per request. */
function precompress(): Plugin {
  // The directory this build writes to: `npm run build` sends it elsewhere (dist.building-*/console) and swaps it in.
  let outDir = CONSOLE_OUT_DIR;
  return {
    name: 'dyb-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        fs
          .readdirSync(dir, { withFileTypes: true })
          .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const file of walk(outDir).filter((f) => /\.(js|css|html|svg|json)$/.test(f))) {
        const data = fs.readFileSync(file);
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
        fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(data));
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  plugins: [vue(), precompress()],
  // No eval, no inline scripts: the pages run under the server's Content-Security-Policy (script-src 'self').
  build: {
    outDir: CONSOLE_OUT_DIR,
    emptyOutDir: true,
    target: 'es2020',
    // Element Plus is one vendor chunk the browser caches; ECharts only loads with the report pages.
    chunkSizeWarningLimit: 1200,
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/media': 'http://127.0.0.1:8080', '/live': 'http://127.0.0.1:8080' } },
});
