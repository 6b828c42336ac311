// Which paths the agent's /media proxy accepts: program files only, judged on the raw (undecoded) request path.
import t from 'tap';
import { mediaTail, programMediaPath } from '../../../player/agent/media-path.ts';

t.test('program files of a version pass, with or without the rung folder', async (t) => {
  t.same(programMediaPath('programs/12/v1/master.m3u8'), { path: 'programs/12/v1/master.m3u8', programId: 12 });
  t.same(programMediaPath('programs/12/v2/240p/index.m3u8'), { path: 'programs/12/v2/240p/index.m3u8', programId: 12 });
  t.same(programMediaPath('programs/3/v14/720p/seg_00042.ts'), { path: 'programs/3/v14/720p/seg_00042.ts', programId: 3 });
  t.same(programMediaPath('programs/3/v1/poster.jpg'), { path: 'programs/3/v1/poster.jpg', programId: 3 });
});

t.test('anything else is refused', async (t) => {
  for (const bad of [
    '',
    'programs',
    'programs/',
    'programs/12',
    'programs/12/',
    'programs/0/master.m3u8',
    'programs/012/master.m3u8',
    'programs/x/master.m3u8',
    'programs/12/240p/',
    'programs/12/240p/sub/seg.ts',
    'programs/12/hd/seg.ts',
    'programs\\..\\..\\api\\sites\\me\\manifest',
    'programs%5C..%5C..%5Capi%5Csites%5Cme%5Cmanifest',
    'programs/%252e%252e/%252e%252e/api/sites/me/manifest',
    'programs/%2e%2e/api',
    'programs/12/..',
    'programs/12/.',
    'programs/12/../../api/sites/me/manifest',
    'programs/12/.hidden',
    'programs/12/master',
    'programs/12/a%2Fb.ts',
    'api/sites/me/manifest',
    '/programs/12/master.m3u8',
    '//evil.example/programs/12/master.m3u8',
    'programs//12/master.m3u8',
    `programs/12/${'a'.repeat(400)}.ts`,
    'programs/12/seg.ts\u0000',
    'programs/12/seg .ts',
    // Unversioned (the server answers 404 to these) and malformed version folders.
    'programs/12/master.m3u8',
    'programs/12/240p/index.m3u8',
    'programs/3/720p/seg_00042.ts',
    'programs/12/v0/master.m3u8',
    'programs/12/v01/master.m3u8',
    'programs/12/v/master.m3u8',
    'programs/12/V1/master.m3u8',
    'programs/12/v1/v2/master.m3u8',
    'programs/12/v1/../v2/master.m3u8',
    'programs/12/v1',
    'programs/12/v1/',
  ]) {
    t.equal(programMediaPath(bad), null, JSON.stringify(bad));
  }
});

t.test('the tail of a request URL', async (t) => {
  t.equal(mediaTail('/media/programs/1/master.m3u8?x=1'), 'programs/1/master.m3u8');
  t.equal(mediaTail('/local/status'), null);
});
