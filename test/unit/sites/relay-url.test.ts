// Relay URL normalisation and the nearest-relay rule; the relay conf renderer refuses what nginx would misread.
import t from 'tap';
import { nearestRelay, normaliseRelayUrl } from '../../../server/sites/relay-url.ts';
import { renderRelayConf } from '../../../scripts/deploy/render-relay-conf.ts';
import { SustainedPressure, retryAfterSeconds } from '../../../server/admission.ts';

t.test('normalise', async (t) => {
  t.same(normaliseRelayUrl(' http://Relay.Example:8080 '), { ok: true, url: 'http://relay.example:8080/' });
  t.same(normaliseRelayUrl('https://relay.example/dyb///'), { ok: true, url: 'https://relay.example/dyb/' });
  for (const bad of ['relay.example', 'file:///etc', 'http://a:b@r/', 'http://r/?q', 'http://r/#f', 'http://r?'])
    t.equal(normaliseRelayUrl(bad).ok, false, bad);
});

t.test('nearest relay wins', async (t) => {
  const relays = new Map([
    [1, 'p/'],
    [3, 'c/'],
  ]);
  t.equal(nearestRelay([1, 2, 3, 4, 5], relays), 'c/');
  t.equal(nearestRelay([1, 2], relays), 'p/');
  t.equal(nearestRelay([7, 8], relays), null);
});

t.test('relay conf', async (t) => {
  const vars = { origin: 'tv.example:80', port: 8080, cacheDir: '/var/cache/dyb-relay', cacheMaxSize: '400g', logDir: '/var/log/nginx' };
  const conf = renderRelayConf(vars);
  t.notMatch(
    conf
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('#'))
      .join('\n'),
    /\$\{RELAY_/,
    'every placeholder filled',
  );
  t.match(conf, /server tv\.example:80/);
  t.match(conf, /proxy_cache_lock on;/);
  t.throws(() => renderRelayConf({ ...vars, origin: 'http://tv.example' }), /host:port/);
  t.throws(() => renderRelayConf({ ...vars, cacheDir: '/x; evil' }), /absolute path/);
  t.throws(() => renderRelayConf({ ...vars, cacheMaxSize: 'lots' }), /nginx size/);
});

t.test('admission: pressure must last', async (t) => {
  const p = new SustainedPressure(3);
  p.sample(true);
  p.sample(true);
  t.notOk(p.sustained);
  p.sample(true);
  t.ok(p.sustained);
  p.sample(false);
  t.notOk(p.sustained, 'one calm sample clears it');
  t.equal(retryAfterSeconds(30, 0), 30);
  t.equal(retryAfterSeconds(30, 0.999), 60);
});
