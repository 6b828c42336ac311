// Relay or origin: the relay is tried for every file until it fails twice in a row, then rests for a growing
// while; a success resets that; a new relay URL starts clean. Counts per source.
import t from 'tap';
import { MediaSourceTracker, RELAY_PAUSE_MS } from '../../../player/agent/media-sources.ts';

t.test('no relay: the origin', async (t) => {
  const m = new MediaSourceTracker();
  m.setRelay(null);
  t.equal(m.relayFor(0), null);
  m.served('origin', 100);
  t.match(m.snapshot(), { relayUrl: null, originFiles: 1, originBytes: 100, relayFiles: 0 });
});

t.test('failures in a row rest the relay, longer each time; a success resets', async (t) => {
  const m = new MediaSourceTracker();
  m.setRelay('http://r/');
  t.equal(m.relayFor(0), 'http://r/');
  t.equal(m.relayFailed('boom', 0), 0, 'one failure: keep using it');
  t.equal(m.relayFor(1), 'http://r/');
  t.equal(m.relayFailed('boom 2', 1), RELAY_PAUSE_MS[0], 'two in a row: rest');
  t.equal(m.relayFor(2), null, 'resting');
  t.equal(m.relayFor(1 + RELAY_PAUSE_MS[0]!), 'http://r/', 'tried again after the rest');
  const at = 1 + RELAY_PAUSE_MS[0]!;
  m.relayFailed('x', at);
  t.equal(m.relayFailed('y', at), RELAY_PAUSE_MS[1], 'the next rest is longer');
  m.served('relay', 50);
  m.relayFailed('z', at);
  t.equal(m.relayFailed('z', at), RELAY_PAUSE_MS[0], 'a success resets the rests');
  t.match(m.snapshot(), { relayFiles: 1, relayBytes: 50, relayFailures: 6, lastRelayError: 'z' });
  m.setRelay('http://other/');
  t.equal(m.relayFor(at), 'http://other/', 'a new relay is tried at once');
  for (let i = 0; i < 20; i++) m.relayFailed('e', at);
  t.ok(m.relayFailed('e', at) <= RELAY_PAUSE_MS.at(-1)! && m.relayFailed('e', at) >= 0, 'rests are capped');
});
