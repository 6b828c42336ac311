import t from 'tap';
import { makeServer, userAuth, ADMIN_PASSWORD } from '../../../testkit/helpers.ts';
import { createRegion } from '../../../server/sites/regions.ts';

t.test('sign-in, roles and user management', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;

  const bad = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'nope' } });
  t.equal(bad.statusCode, 401);
  t.match(bad.json(), { error: { code: 'unauthorized', message: /Wrong username or password/ } });

  const missing = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin' } });
  t.equal(missing.statusCode, 400);
  t.match(missing.json().error.message, /password/);

  const me = await app.inject({ method: 'GET', url: '/api/auth/me', headers: s.auth });
  t.equal(me.statusCode, 200);
  t.match(me.json(), { username: 'admin', role: 'operator' });

  t.equal((await app.inject({ method: 'GET', url: '/api/users' })).statusCode, 401, 'no token: 401');
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/users', headers: { authorization: 'Bearer forged' } })).statusCode,
    401,
    'unknown token: 401',
  );

  const noRegion = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: s.auth,
    payload: { username: 'org1', password: 'organizer-pass', role: 'organizer' },
  });
  t.equal(noRegion.statusCode, 400, 'organizer without a region is refused');
  t.match(noRegion.json().error.message, /regionId/);

  const created = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: s.auth,
    payload: { username: 'op2', password: 'operator-pass', role: 'operator' },
  });
  t.equal(created.statusCode, 201);
  const op2 = created.json();
  t.notOk('password_hash' in op2 || 'passwordHash' in op2, 'hash never leaves the server');

  const dup = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: s.auth,
    payload: { username: 'OP2', password: 'operator-pass', role: 'operator' },
  });
  t.equal(dup.statusCode, 409, 'usernames are unique regardless of case');

  const short = await app.inject({
    method: 'POST',
    url: '/api/users',
    headers: s.auth,
    payload: { username: 'op3', password: 'short', role: 'operator' },
  });
  t.equal(short.statusCode, 400);

  // An organizer may not manage users.
  const county = createRegion(app.db, { name: '某县', level: 'county' });
  const orgAuth = await userAuth(app, 'org2', 'organizer', county.id);
  const forbidden = await app.inject({ method: 'GET', url: '/api/users', headers: orgAuth });
  t.equal(forbidden.statusCode, 403, 'wrong role: 403');
  t.equal(forbidden.json().error.code, 'forbidden');

  // Changing the password signs the user out everywhere.
  const op2Token = (
    await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'op2', password: 'operator-pass' } })
  ).json().token;
  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/users/${op2.id}`,
    headers: s.auth,
    payload: { password: 'new-operator-pass' },
  });
  t.equal(patched.statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${op2Token}` } })).statusCode, 401);

  const del = await app.inject({ method: 'DELETE', url: `/api/users/${op2.id}`, headers: s.auth });
  t.equal(del.statusCode, 204);
  t.equal((await app.inject({ method: 'DELETE', url: `/api/users/${op2.id}`, headers: s.auth })).statusCode, 404);

  const self = await app.inject({ method: 'DELETE', url: '/api/users/1', headers: s.auth });
  t.equal(self.statusCode, 403, 'cannot delete yourself');

  const docs = await app.inject({ method: 'GET', url: '/docs/json' });
  t.equal(docs.statusCode, 200);
  t.ok(docs.json().paths['/api/auth/login'], 'OpenAPI lists the routes');
  t.ok(ADMIN_PASSWORD);
});

t.test('login is rate-limited', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  let last = 0;
  for (let i = 0; i < 12; i++) {
    last = (await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: `guess${i}` } }))
      .statusCode;
  }
  t.equal(last, 429, 'the 11th wrong try within a minute is refused');
});

t.test('configuration is checked at start', async (t) => {
  const { loadConfig } = await import('../../../server/config.ts');
  t.equal(loadConfig({ TZ_PROVINCE: 'Asia/Chongqing' }).provinceTz, 'Asia/Chongqing', 'zone aliases are accepted');
  t.throws(() => loadConfig({ TZ_PROVINCE: 'Mars/Olympus' }), /TZ_PROVINCE/);
  t.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/);
  t.equal(loadConfig({}).attendanceRetentionDays, 731, 'two years of raw sessions, leap day included');
});
