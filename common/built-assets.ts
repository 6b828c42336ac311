// Where the running code finds the static files `npm run build` makes: `dist/kiosk/` (the TV page the site agent
// serves) and `dist/console/` (the operators' web console the server serves). Compiled code runs from dist/ (or the
// unpacked site package, same layout), so the files sit beside it; run from source (tsx, in development and tests)
// they are the repository's dist/, made by `npm run build` (tests: `npm run build:kiosk`, run by tap's `before`).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type BuiltAssets = 'kiosk' | 'console';

export function builtAssetsDir(name: BuiltAssets, moduleUrl: string = import.meta.url): string {
  const root = path.dirname(path.dirname(fileURLToPath(moduleUrl))); // this file is <root>/common/built-assets.*
  return moduleUrl.endsWith('.js') ? path.join(root, name) : path.join(root, 'dist', name);
}
