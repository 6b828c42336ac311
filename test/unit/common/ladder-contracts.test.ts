// The common contracts: the house ladder's figures, the one master-playlist writer and the one If-None-Match matcher.
import t from 'tap';
import { createRequire } from 'node:module';
import { averageBandwidth, CODECS, maxVideoRate, peakBandwidth, RUNG_NAMES, RUNGS, rungByName, rungRank } from '../../../common/ladder.ts';
import { masterPlaylist } from '../../../common/master-playlist.ts';
import { ifNoneMatchHits } from '../../../common/etag.ts';

interface ParsedMaster {
  playlists: Array<{ uri: string; attributes: Record<string, unknown> }>;
}
const { Parser } = createRequire(import.meta.url)('m3u8-parser') as {
  Parser: new () => { push(s: string): void; end(): void; manifest: ParsedMaster };
};
function parse(text: string): ParsedMaster {
  const p = new Parser();
  p.push(text);
  p.end();
  return p.manifest;
}

t.test('the ladder: names in order, peak = maxrate + audio, average = target + audio', async (t) => {
  t.same(
    RUNGS.map((r) => r.name),
    [...RUNG_NAMES],
  );
  const r720 = rungByName('720p')!;
  t.equal(maxVideoRate(r720), 1_650_000);
  t.equal(peakBandwidth(r720), 1_650_000 + 128_000);
  t.equal(averageBandwidth(r720), 1_628_000);
  t.equal(rungRank('720p'), 0);
  t.equal(rungRank('240p'), 3);
  t.equal(rungRank('1080p'), -1);
  t.equal(rungByName('1080p'), undefined);
  for (let i = 1; i < RUNGS.length; i++) t.ok(RUNGS[i].height < RUNGS[i - 1].height, 'highest first');
});

t.test('master playlist: one variant per rung, highest first, peak BANDWIDTH and the house CODECS', async (t) => {
  const text = masterPlaylist([RUNGS[3], RUNGS[0], RUNGS[1]], { frameRate: [30000, 1001] });
  const m = parse(text);
  t.same(
    m.playlists.map((p) => p.uri),
    ['720p/index.m3u8', '480p/index.m3u8', '240p/index.m3u8'],
  );
  t.match(m.playlists[0].attributes, {
    BANDWIDTH: peakBandwidth(RUNGS[0]),
    'AVERAGE-BANDWIDTH': averageBandwidth(RUNGS[0]),
    RESOLUTION: { width: 1280, height: 720 },
    CODECS,
  });
  t.match(text, /FRAME-RATE=29\.970,/);
  t.match(text, /^#EXT-X-INDEPENDENT-SEGMENTS$/m);
});

t.test('master playlist: custom URIs and no FRAME-RATE when the rate is not given', async (t) => {
  const text = masterPlaylist(RUNGS, { uri: (n) => `${n}.m3u8` });
  t.same(
    parse(text).playlists.map((p) => p.uri),
    RUNG_NAMES.map((n) => `${n}.m3u8`),
  );
  t.notMatch(text, /FRAME-RATE/);
});

t.test('If-None-Match: RFC 9110 weak comparison, lists, * and malformed values', async (t) => {
  const tag = '"abc"';
  t.ok(ifNoneMatchHits('"abc"', tag));
  t.ok(ifNoneMatchHits('W/"abc"', tag), 'weak in the header');
  t.ok(ifNoneMatchHits('"abc"', 'W/"abc"'), 'weak current tag');
  t.ok(ifNoneMatchHits('"x", W/"abc"', tag), 'a list');
  t.ok(ifNoneMatchHits('"x",,  "abc" ,', tag), 'empty list elements are skipped');
  t.ok(ifNoneMatchHits('"a,b", "abc"', tag), 'a comma inside an opaque tag does not split it');
  t.notOk(ifNoneMatchHits('"a,b"', '"a"'));
  t.ok(ifNoneMatchHits(' * ', tag), '* matches any current representation');
  t.notOk(ifNoneMatchHits('"x", *', tag), '* inside a list is malformed');
  t.notOk(ifNoneMatchHits('abc', tag), 'an unquoted tag is malformed');
  t.notOk(ifNoneMatchHits('"abd"', tag));
  t.notOk(ifNoneMatchHits('', tag));
  t.notOk(ifNoneMatchHits(undefined, tag));
  t.notOk(ifNoneMatchHits('"ab"', '"abc"'), 'no prefix matching');
});
