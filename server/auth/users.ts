// The users table: accounts, sign-in tokens, and the first operator account.
import type { Db } from '../db/connection.ts';
import type { AuthUser, Role } from './guards.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { hashToken, newToken } from './tokens.ts';

export const TOKEN_TTL_MS = 12 * 3600 * 1000;

export interface UserRow extends AuthUser {
  createdAt: string;
  updatedAt: string;
}

const columns = 'id, username, role, region_id AS regionId, created_at AS createdAt, updated_at AS updatedAt';

export function listUsers(db: Db): UserRow[] {
  return db.prepare<[], UserRow>(`SELECT ${columns} FROM users ORDER BY id`).all();
}

export function getUser(db: Db, id: number): UserRow | undefined {
  return db.prepare<[number], UserRow>(`SELECT ${columns} FROM users WHERE id = ?`).get(id);
}

export function usernameTaken(db: Db, username: string): boolean {
  return db.prepare<[string], { one: number }>('SELECT 1 AS one FROM users WHERE username = ?').get(username) !== undefined;
}

/** The user a sign-in token (by its sha256) speaks for, while it has not expired. */
export function userByTokenHash(db: Db, tokenHash: string, nowIso: string): AuthUser | undefined {
  return db
    .prepare<[string, string], AuthUser>(
      `SELECT u.id, u.username, u.role, u.region_id AS regionId
         FROM auth_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = ? AND t.expires_at > ?`,
    )
    .get(tokenHash, nowIso);
}

/** Accounts (organizers) whose scope is this region: it cannot be deleted while they exist. */
export function countUsersInRegion(db: Db, regionId: number): number {
  return db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM users WHERE region_id = ?').get(regionId)!.n;
}

export async function createUser(
  db: Db,
  u: { username: string; password: string; role: Role; regionId?: number | null },
): Promise<UserRow> {
  const hash = await hashPassword(u.password);
  const now = new Date().toISOString();
  const info = db
    .prepare('INSERT INTO users (username, password_hash, role, region_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(u.username, hash, u.role, u.regionId ?? null, now, now);
  return getUser(db, Number(info.lastInsertRowid))!;
}

export async function updateUser(
  db: Db,
  id: number,
  patch: { password?: string; role?: Role; regionId?: number | null },
): Promise<UserRow | undefined> {
  const hash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
  db.transaction(() => {
    const now = new Date().toISOString();
    if (hash) {
      db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?').run(hash, now, id);
      db.prepare('DELETE FROM auth_tokens WHERE user_id = ?').run(id); // a new password signs everyone out
    }
    if (patch.role) db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE id = ?').run(patch.role, now, id);
    if (patch.regionId !== undefined)
      db.prepare('UPDATE users SET region_id = ?, updated_at = ? WHERE id = ?').run(patch.regionId, now, id);
  })();
  return getUser(db, id);
}

export function deleteUser(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM users WHERE id = ?').run(id).changes > 0;
}

export function countOperators(db: Db): number {
  return db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'operator'").get()!.n;
}

/** Checks a password and issues a token; undefined when the pair is wrong. */
export async function login(db: Db, username: string, password: string): Promise<{ token: string; user: AuthUser } | undefined> {
  const row = db
    .prepare<[string], AuthUser & { hash: string }>(
      'SELECT id, username, role, region_id AS regionId, password_hash AS hash FROM users WHERE username = ?',
    )
    .get(username);
  // Verify against a dummy hash when the user is unknown, so timing does not reveal which usernames exist.
  const ok = await verifyPassword(password, row?.hash ?? DUMMY_HASH);
  if (!row || !ok) return undefined;
  const token = newToken();
  const now = Date.now();
  db.prepare('DELETE FROM auth_tokens WHERE expires_at <= ?').run(new Date(now).toISOString());
  db.prepare('INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(
    hashToken(token),
    row.id,
    new Date(now).toISOString(),
    new Date(now + TOKEN_TTL_MS).toISOString(),
  );
  const { hash: _h, ...user } = row;
  return { token, user };
}

export function logout(db: Db, token: string): void {
  db.prepare('DELETE FROM auth_tokens WHERE token_hash = ?').run(hashToken(token));
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/**
 * On an empty database, creates the operator `admin`. Returns the password when it was generated
 * (so the caller logs it once), undefined when it came from ADMIN_PASSWORD or users already exist.
 */
export async function ensureAdmin(db: Db, adminPassword: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
  const n = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users').get()!.n;
  if (n > 0) return { created: false };
  const password = adminPassword ?? newToken(12);
  await createUser(db, { username: 'admin', password, role: 'operator' });
  return { created: true, generatedPassword: adminPassword ? undefined : password };
}
