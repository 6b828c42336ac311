// Request guards: who is calling (a user with a role, or a paired site) and what they may see.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Db } from '../db/connection.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { hashToken } from './tokens.ts';

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
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: AuthUser;
    site?: AuthSite;
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

export interface Guards {
  /** Any signed-in user (operator or organizer). */
  user: preHandlerAsyncHookHandler;
  /** Operators only: every write to content, schedules, sites and users. */
  operator: preHandlerAsyncHookHandler;
  /** A paired, not revoked, terminal site (its own token). */
  site: preHandlerAsyncHookHandler;
}

export function makeGuards(db: Db): Guards {
  const userByToken = db.prepare(
    `SELECT u.id, u.username, u.role, u.region_id AS regionId
       FROM auth_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ? AND t.expires_at > ?`,
  );
  const siteByToken = db.prepare(
    'SELECT id, region_id AS regionId FROM sites WHERE token_hash = ? AND revoked_at IS NULL',
  );

  async function user(req: FastifyRequest, _reply: FastifyReply) {
    const token = bearer(req);
    if (!token) throw unauthorized();
    const row = userByToken.get(hashToken(token), new Date().toISOString()) as AuthUser | undefined;
    if (!row) throw unauthorized('Your sign-in has expired or is not valid: sign in again.');
    req.user = row;
  }
  async function operator(req: FastifyRequest, reply: FastifyReply) {
    await user(req, reply);
    if (req.user!.role !== 'operator') throw forbidden('Only an operator may do this.');
  }
  async function site(req: FastifyRequest, _reply: FastifyReply) {
    const token = bearer(req);
    if (!token) throw unauthorized('This call needs the site token the agent got when it paired.');
    const row = siteByToken.get(hashToken(token)) as AuthSite | undefined;
    if (!row) throw unauthorized('This site token is not valid or the site was revoked: pair the site again.');
    req.site = row;
  }
  return { user, operator, site };
}
