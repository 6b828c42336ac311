// Routes: sign in and out, and operators managing user accounts.
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { badRequest, conflict, errorSchema, forbidden, notFound, unauthorized } from '../errors.ts';
import type { Role } from './guards.ts';
import { countOperators, createUser, deleteUser, getUser, listUsers, login, logout, updateUser } from './users.ts';

const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    role: { type: 'string', enum: ['operator', 'organizer'] },
    regionId: { type: ['integer', 'null'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const password = { type: 'string', minLength: 8, maxLength: 200 } as const;
const idParams = { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } as const;

export default async function authPlugin(app: FastifyInstance) {
  const { db } = app;

  function checkRegion(role: Role, regionId: number | null | undefined) {
    if (role === 'organizer' && (regionId === undefined || regionId === null))
      throw badRequest('An organizer needs regionId: the region (township, county, ...) whose reports they may read.');
    if (regionId !== undefined && regionId !== null && !db.prepare('SELECT 1 FROM regions WHERE id = ?').get(regionId))
      throw badRequest(`Region ${regionId} does not exist: create it under /api/regions first.`);
  }

  await app.register(async (scoped) => {
    // Login is rate-limited per address and username, so passwords cannot be guessed at speed.
    await scoped.register(rateLimit, {
      max: 10,
      timeWindow: '1 minute',
      keyGenerator: (req) => `${req.ip}|${String((req.body as { username?: string } | undefined)?.username ?? '').toLowerCase()}`,
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: 429,
        error: { code: 'too_many_attempts', message: `Too many sign-in attempts; try again in ${Math.ceil(ctx.ttl / 1000)} s.` },
      }),
    });
    scoped.post(
      '/api/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in; returns a bearer token valid for 12 h',
          body: {
            type: 'object',
            required: ['username', 'password'],
            properties: { username: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1 } },
          },
          response: {
            200: { type: 'object', properties: { token: { type: 'string' }, user: userSchema } },
            401: errorSchema,
          },
        },
      },
      async (req) => {
        const { username, password: pw } = req.body as { username: string; password: string };
        const res = await login(db, username, pw);
        if (!res) throw unauthorized('Wrong username or password.');
        req.log.info({ user: res.user.username }, 'signed in');
        return res;
      },
    );
  });

  app.post('/api/auth/logout', { preHandler: app.auth.user, schema: { tags: ['auth'] } }, async (req, reply) => {
    logout(db, /^Bearer\s+(\S+)$/i.exec(req.headers.authorization!)![1]);
    reply.status(204).send();
  });

  app.get('/api/auth/me', { preHandler: app.auth.user, schema: { tags: ['auth'], response: { 200: userSchema } } }, async (req) =>
    getUser(db, req.user!.id),
  );

  app.get(
    '/api/users',
    { preHandler: app.auth.operator, schema: { tags: ['users'], response: { 200: { type: 'array', items: userSchema } } } },
    async () => listUsers(db),
  );

  app.post(
    '/api/users',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['users'],
        body: {
          type: 'object',
          required: ['username', 'password', 'role'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$' },
            password,
            role: { type: 'string', enum: ['operator', 'organizer'] },
            regionId: { type: ['integer', 'null'] },
          },
        },
        response: { 201: userSchema, 400: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const body = req.body as { username: string; password: string; role: Role; regionId?: number | null };
      checkRegion(body.role, body.regionId);
      if (db.prepare('SELECT 1 FROM users WHERE username = ?').get(body.username))
        throw conflict(`The username "${body.username}" is taken.`);
      reply.status(201);
      return createUser(db, body);
    },
  );

  app.patch(
    '/api/users/:id',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['users'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { password, role: { type: 'string', enum: ['operator', 'organizer'] }, regionId: { type: ['integer', 'null'] } },
        },
        response: { 200: userSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      const patch = req.body as { password?: string; role?: Role; regionId?: number | null };
      const existing = getUser(db, id);
      if (!existing) throw notFound(`No user ${id}.`);
      const role = patch.role ?? existing.role;
      checkRegion(role, patch.regionId !== undefined ? patch.regionId : existing.regionId);
      if (existing.role === 'operator' && role !== 'operator' && countOperators(db) === 1)
        throw conflict('This is the last operator account; make another operator first.');
      return updateUser(db, id, patch);
    },
  );

  app.delete(
    '/api/users/:id',
    { preHandler: app.auth.operator, schema: { tags: ['users'], params: idParams } },
    async (req, reply) => {
      const { id } = req.params as { id: number };
      const existing = getUser(db, id);
      if (!existing) throw notFound(`No user ${id}.`);
      if (existing.id === req.user!.id) throw forbidden('You cannot delete your own account.');
      if (existing.role === 'operator' && countOperators(db) === 1)
        throw conflict('This is the last operator account; make another operator first.');
      deleteUser(db, id);
      reply.status(204).send();
    },
  );
}
