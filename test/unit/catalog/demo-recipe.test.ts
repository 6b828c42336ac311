// The demo recipe must be valid catalog input: real taxonomy ids, metadata the upload path accepts,
// 30-90 s lectures covering the shapes the issue names.
import t from 'tap';
import { DEMO_LECTURES, demoDescription, demoTitle } from '../../../content/demo-recipe.ts';
import { isAudience, isCategory } from '../../../content/taxonomy.ts';
import { normalizeProgramFields } from '../../../server/catalog/metadata.ts';

t.test('demo lectures', async (t) => {
  t.ok(DEMO_LECTURES.length >= 5 && DEMO_LECTURES.length <= 8, `5-8 lectures (${DEMO_LECTURES.length})`);
  const shapes = new Set(DEMO_LECTURES.map((l) => l.shape));
  for (const needed of ['hd-16x9', 'sd-4x3-interlaced', 'portrait-phone', 'audio-only'] as const)
    t.ok(shapes.has(needed), `has a ${needed} lecture`);
  t.equal(new Set(DEMO_LECTURES.map((l) => l.key)).size, DEMO_LECTURES.length, 'keys (file names) are unique');
  t.equal(new Set(DEMO_LECTURES.map(demoTitle)).size, DEMO_LECTURES.length, 'titles are unique');
  const series = DEMO_LECTURES.filter((l) => l.series);
  t.ok(series.length >= 2, 'a series with episodes');
  t.same(
    series.map((l) => l.episode).sort(),
    series.map((_, i) => i + 1),
    'episodes numbered 1..n',
  );
  for (const l of DEMO_LECTURES) {
    t.ok(l.seconds >= 30 && l.seconds <= 90, `${l.key}: 30-90 s`);
    t.ok(isCategory(l.category), `${l.key}: category ${l.category} is in the taxonomy`);
    t.ok(l.audiences.length > 0 && l.audiences.every(isAudience), `${l.key}: audiences are in the taxonomy`);
    t.match(l.titleZh, /[\u4e00-\u9fff]/, `${l.key}: Chinese title`);
    t.match(l.titleEn, /^[\x20-\x7e]+$/, `${l.key}: English title`);
    t.equal(l.video === null, l.shape === 'audio-only', `${l.key}: only the audio-only talk has no picture`);
    if (l.video) {
      t.ok(l.video.width % 2 === 0 && l.video.height % 2 === 0, `${l.key}: even frame size (4:2:0)`);
      if (l.shape === 'portrait-phone') t.ok(l.video.height > l.video.width, 'portrait is taller than wide');
      if (l.shape === 'hd-16x9') t.same([l.video.width, l.video.height], [1280, 720]);
      if (l.shape === 'sd-4x3-interlaced') t.ok(l.video.interlaced, 'SD is interlaced');
    }
    t.doesNotThrow(
      () =>
        normalizeProgramFields({
          title: demoTitle(l),
          description: demoDescription(l),
          lecturer: l.lecturer,
          category: l.category,
          audiences: l.audiences,
          tags: l.tags,
          language: l.language,
          ...(l.series ? { series: l.series, episode: l.episode } : {}),
        }),
      `${l.key}: metadata passes the upload checks`,
    );
  }
});
