// The province simulation in its --quick size: one real origin child, two real nginx relays, 50 simulated sites on
// the real protocol. Checks the protocol end to end (no timings): every site polls with ETags, fetches its catalog
// once, heartbeats, has its attendance accepted, and holds tonight's files with the right sha256, through its
// relay and from the origin alone; the relays fetch from the origin far less than the sites receive.
import t from 'tap';
import { QUICK, runProvince } from '../../../scripts/sim/province.ts';

t.test('sim:province --quick: the protocol works end to end', async (t) => {
  const r = await runProvince(QUICK);
  const route = (name: string) => r.control.routes.find((x) => x.route === name);

  const manifest = route('GET manifest')!;
  const fulls = Number(/(?:^| )200:(\d+)/.exec(manifest.statuses)?.[1]);
  // Once each, and again only if the hour rolled over during the run (the 49 h window moves).
  t.ok(fulls >= QUICK.sites && fulls <= 2 * QUICK.sites, `each site got its manifest in full once (${manifest.statuses})`);
  t.match(manifest.statuses, /304:\d+/, 'and 304 on every later poll');
  t.notMatch(manifest.statuses, /\b(4\d\d|5\d\d):/, 'no manifest poll was refused or failed');
  t.equal(route('GET catalog')?.statuses, `200:${QUICK.sites}`, 'each site fetched the catalog once: the schedule did not change it');
  t.notMatch(route('POST heartbeat')!.statuses, /\b(4\d\d|5\d\d):/, 'heartbeats taken');
  t.equal(r.control.attendanceAccepted, QUICK.sites, "every site's attendance session accepted");
  t.equal(r.control.errors, 0, 'no request failed');
  // The probe inside the origin saw every request the sites measured, under the same route names.
  const inside = new Map((r.control.origin?.routes ?? []).map((x) => [x.route, x.count]));
  for (const x of r.control.routes) t.equal(inside.get(x.route), x.count, `the origin's own count of ${x.route}`);

  for (const d of [r.withRelays, r.withoutRelays]) {
    t.ok(d.uniqueBytes > 0, `${d.label}: tonight's schedule names files`);
    t.equal(d.tally.failed, 0, `${d.label}: no failed download`);
    t.ok(d.allReady, `${d.label}: every site holds every required file with its sha256`);
    t.equal(d.deliveredBytes, d.sites * d.uniqueBytes, `${d.label}: each site received tonight's bytes once`);
  }
  t.equal(r.withRelays.tally.fromOrigin, 0, 'with relays, every file came through a relay');
  t.equal(r.withoutRelays.tally.fromRelay, 0, 'without relays, every file came from the origin');
  t.ok(r.withRelays.originBytes < r.withRelays.deliveredBytes / 5, 'the relays fetched from the origin a fraction of what they delivered');
  // Media alone is counted (manifests go to the origin uncounted): each relay fetched each file about once.
  const factor = r.withRelays.originBytes / (QUICK.relays * r.withRelays.uniqueBytes);
  t.ok(factor >= 1 && factor < 1.5, `origin media bytes near relays x unique bytes (${factor.toFixed(3)}; headers add a few %)`);
  t.ok(r.withoutRelays.originBytes >= r.withoutRelays.deliveredBytes, 'without relays the origin sent every byte itself');

  t.ok(r.controlBytes.catalogBytes > 0 && r.controlBytes.manifestBytes > 0);
  t.ok(r.controlBytes.after < r.controlBytes.before, 'control bytes per site per day fall when the catalog has its own resource');
});
