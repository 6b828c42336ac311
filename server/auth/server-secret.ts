// The server's own secret: 32 random bytes made once in the data dir (mode 0600), the key of the HMACs that
// protect short codes (pairing codes) a plain hash could not: with it kept out of the database, a leaked
// database does not let anyone try all ~8.5e11 codes offline.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const SECRET_FILE = 'server-secret.key';

export function loadServerSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, SECRET_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': made once; a second server start (or a racing one) reads the first one's secret.
    fs.writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600); // copied in with looser rights
  const secret = fs.readFileSync(file);
  if (secret.length < 32) throw new Error(`${file} is damaged (under 32 bytes): remove it, then issue new pairing codes.`);
  return secret;
}
