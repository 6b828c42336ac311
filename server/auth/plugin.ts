// Routes: sign in and out, and operators managing user accounts.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams } from '../../common/api/shared.ts';
import { LoginBody, LoginResult, NewUser, User, UserList, UserPatch, type Role } from '../../common/api/auth.ts';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../errors.ts';
import { getRegion } from '../sites/regions.ts';
import { bearer } from './guards.ts';
import { LoginGuard } from './login-limits.ts';
import { countOperators, createUser, deleteUser, getUser, listUsers, login, logout, updateUser, usernameTaken } from './users.ts';

export default async function authPlugin(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app;
  const guard = new LoginGuard(app.log);

  function checkRegion(role: Role, regionId: number | null | undefined) {
    if (role === 'organizer' && (regionId === undefined || regionId === null))
      throw badRequest('An organizer needs regionId: the region (township, county, ...) whose reports they may read.');
    if (regionId !== undefined && regionId !== null && !getRegion(db, regionId))
      throw badRequest(`Region ${regionId} does not exist: create it under /api/regions first.`);
  }

  app.post(
    '/api/auth/login',
    {
      onRequest: async (req) => guard.admitAddress(req.ip, Date.now()),
      bodyLimit: 4 * 1024,
      schema: {
        tags: ['auth'],
        summary: 'Sign in; returns a bearer token valid for 12 h',
        description: 'Limited per (address, username), per address and per username: 429 with Retry-After when over.',
        security: [],
        body: LoginBody,
        response: { 200: LoginResult, 401: ErrorBody, 429: ErrorBody },
      },
      preHandler: async (req) => guard.admit(req.ip, req.body.username, Date.now()),
    },
    async (req) => {
      const { username, password } = req.body;
      const res = await login(db, username, password);
      if (!res) throw unauthorized('Wrong username or password.');
      guard.succeeded(req.ip, username);
      req.log.info({ user: res.user.username }, 'signed in');
      return res;
    },
  );

  app.post(
    '/api/auth/logout',
    { onRequest: app.auth.user, schema: { tags: ['auth'], response: { 204: Type.Null(), 401: ErrorBody } } },
    async (req, reply) => {
      logout(db, bearer(req)!);
      reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    { onRequest: app.auth.user, schema: { tags: ['auth'], response: { 200: User, 401: ErrorBody } } },
    async (req) => getUser(db, req.user!.id)!,
  );

  app.get(
    '/api/users',
    { onRequest: app.auth.operator, schema: { tags: ['users'], response: { 200: UserList, 401: ErrorBody, 403: ErrorBody } } },
    async () => listUsers(db),
  );

  app.post(
    '/api/users',
    {
      onRequest: app.auth.operator,
      bodyLimit: 8 * 1024,
      schema: { tags: ['users'], body: NewUser, response: { 201: User, 400: ErrorBody, 409: ErrorBody } },
    },
    async (req, reply) => {
      const body = req.body;
      checkRegion(body.role, body.regionId);
      if (usernameTaken(db, body.username)) throw conflict(`The username "${body.username}" is taken.`);
      reply.status(201);
      return createUser(db, body);
    },
  );

  app.patch(
    '/api/users/:id',
    {
      onRequest: app.auth.operator,
      bodyLimit: 8 * 1024,
      schema: { tags: ['users'], params: IdParams, body: UserPatch, response: { 200: User, 400: ErrorBody, 404: ErrorBody } },
    },
    async (req) => {
      const { id } = req.params;
      const patch = req.body;
      const existing = getUser(db, id);
      if (!existing) throw notFound(`No user ${id}.`);
      const role = patch.role ?? existing.role;
      checkRegion(role, patch.regionId !== undefined ? patch.regionId : existing.regionId);
      if (existing.role === 'operator' && role !== 'operator' && countOperators(db) === 1)
        throw conflict('This is the last operator account; make another operator first.');
      return (await updateUser(db, id, patch))!;
    },
  );

  app.delete(
    '/api/users/:id',
    {
      onRequest: app.auth.operator,
      schema: { tags: ['users'], params: IdParams, response: { 204: Type.Null(), 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
    },
    async (req, reply) => {
      const { id } = req.params;
      const existing = getUser(db, id);
      if (!existing) throw notFound(`No user ${id}.`);
      if (existing.id === req.user!.id) throw forbidden('You cannot delete your own account.');
      if (existing.role === 'operator' && countOperators(db) === 1)
        throw conflict('This is the last operator account; make another operator first.');
      deleteUser(db, id);
      reply.status(204).send(null);
    },
  );
}
