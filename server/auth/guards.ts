// Request guards: who is calling (a user with a role, or a paired site) and what they may see. They run in
// onRequest and read only the Authorization header, so an anonymous or wrong caller is refused before any body
// is read or parsed (`onRequest: app.auth.operator` on every route that needs one).
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Db } from '../db/connection.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { siteByTokenHash } from '../sites/sites.ts';
import { platformByTokenHash, type PlatformCaller } from '../platforms/platforms.ts';
import { hashToken } from './tokens.ts';
import { userByTokenHash } from './users.ts';

export type Role = 'operator' | 'organizer';

export interface AuthUser {
  id: number;
  username: string;
  role: Role;
  /** Organizers: root of the region subtree they may see. Null for operators (everything). */
  regionId: number | null;
}

export interface AuthSite {
  id: number;
  regionId: number;
  /** sha256 of the token it called with: a held long poll checks it is still the site's token. */
  tokenHash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: AuthUser;
    site?: AuthSite;
    /** A paired provincial platform calling the centre (its platform token). */
    platform?: PlatformCaller;
  }
}

export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

export interface Guards {
  /** Any signed-in user (operator or organizer). */
  user: onRequestAsyncHookHandler;
  /** Operators only: every write to content, schedules, sites and users. */
  operator: onRequestAsyncHookHandler;
  /** A paired, not revoked, terminal site (its own token). */
  site: onRequestAsyncHookHandler;
  /** A paired, not revoked downstream (provincial) platform calling the centre with its platform token. */
  platform: onRequestAsyncHookHandler;
}

export function makeGuards(db: Db): Guards {
  async function user(req: FastifyRequest, _reply: FastifyReply) {
    const token = bearer(req);
    if (!token) throw unauthorized();
    const row = userByTokenHash(db, hashToken(token), new Date().toISOString());
    if (!row) throw unauthorized('Your sign-in has expired or is not valid: sign in again.');
    req.user = row;
  }
  async function operator(req: FastifyRequest, reply: FastifyReply) {
    await user(req, reply);
    if (req.user!.role !== 'operator') throw forbidden('Only an operator may do this.');
  }
  async function site(req: FastifyRequest, _reply: FastifyReply) {
    if (req.site) return; // already checked (the per-site limit runs the guard itself on /api/sites/me/*)
    const token = bearer(req);
    if (!token) throw unauthorized('This call needs the site token the agent got when it paired.');
    const tokenHash = hashToken(token);
    const row = siteByTokenHash(db, tokenHash);
    if (!row) throw unauthorized('This site token is not valid or the site was revoked: pair the site again.');
    req.site = { ...row, tokenHash };
  }
  async function platform(req: FastifyRequest, _reply: FastifyReply) {
    const token = bearer(req);
    if (!token) throw unauthorized('This call needs the platform token the province got when it paired with the centre.');
    const row = platformByTokenHash(db, hashToken(token));
    if (!row) {
      throw unauthorized('This platform token is not valid or the province was revoked: ask the central operator for a new pairing code.');
    }
    req.platform = row;
  }
  return { user, operator, site, platform };
}
