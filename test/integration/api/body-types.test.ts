// JSON bodies are validated as sent: a `null` in a nullable field stays null (ajv's type coercion, right for query
// strings, turned it into 0 when it tried the union's integer branch first), and a number sent as text is refused.
import t from 'tap';
import { makeServer } from '../../../testkit/helpers.ts';
import { readyProgram } from '../../../testkit/programs.ts';

t.test('nullable fields in JSON bodies keep their null; strings are not taken for numbers', async (t) => {
  const s = await makeServer({ startWorkers: true });
  t.teardown(() => s.close());
  const post = (url: string, payload: object) => s.app.inject({ method: 'POST', url, headers: s.auth, payload });

  // What the console's edit form sends when a lecture has no episode number.
  const id = await readyProgram(s.app, { seconds: 2, title: '第一讲' });
  const cleared = await s.app.inject({
    method: 'PATCH',
    url: `/api/programs/${id}`,
    headers: s.auth,
    payload: { title: '第一讲（修订）', episode: null },
  });
  t.equal(cleared.statusCode, 200, cleared.body);
  t.equal(cleared.json().episode, null, 'episode null clears the episode number');

  const region = await post('/api/regions', { name: '某省', level: 'province', parentId: null });
  t.equal(region.statusCode, 201, region.body);
  t.equal(region.json().parentId, null, 'a root region keeps its null parent');

  const asText = await post('/api/regions', { name: '某市', level: 'city', parentId: String(region.json().id) });
  t.equal(asText.statusCode, 400, 'a number sent as a string in JSON is refused');
  t.match(asText.json(), { error: { code: 'invalid_input', message: /parentId/ } });
});

t.test('query strings are still read as numbers', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const res = await s.app.inject({ method: 'GET', url: '/api/programs?limit=5&offset=0', headers: s.auth });
  t.equal(res.statusCode, 200, res.body);
});

t.test('numbers in a query or a path that overflow to Infinity are refused by name, never a 500', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  for (const url of ['/api/sites?limit=1e400', '/api/members?offset=1e400', '/api/programs?limit=-Infinity', '/api/channels/1e400']) {
    const res = await s.app.inject({ method: 'GET', url, headers: s.auth });
    t.equal(res.statusCode, 400, `${url}: ${res.body}`);
    t.match(res.json(), { error: { message: /must be a finite number/ } });
  }
});
