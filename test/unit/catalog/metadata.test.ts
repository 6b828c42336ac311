import t from 'tap';
import { normalizeProgramFields, titleFromFileName } from '../../../server/catalog/metadata.ts';
import { AppError } from '../../../server/errors.ts';
import { CATEGORIES, AUDIENCES } from '../../../content/taxonomy.ts';

function refusal(raw: Record<string, unknown>): AppError {
  try {
    normalizeProgramFields(raw);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

t.test('form text fields are normalised', async (t) => {
  const f = normalizeProgramFields({
    title: '  乡村振兴政策解读 ',
    category: 'current-affairs',
    audiences: 'rural-members，village-cadres, rural-members',
    tags: '["乡村振兴","政策"]',
    episode: '3',
    series: '乡村振兴系列',
    published: 'false',
    language: 'zh-CN',
    description: '',
  });
  t.same(f, {
    title: '乡村振兴政策解读',
    category: 'current-affairs',
    audiences: ['rural-members', 'village-cadres'],
    tags: ['乡村振兴', '政策'],
    episode: 3,
    seriesTitle: '乡村振兴系列',
    published: false,
    language: 'zh-CN',
    description: '',
  });
});

t.test('JSON values and clearing', async (t) => {
  t.same(normalizeProgramFields({ audiences: ['elderly-members'], seriesId: null, category: null, episode: null, tags: [] }), {
    audiences: ['elderly-members'],
    seriesId: null,
    category: null,
    episode: null,
    tags: [],
  });
  t.same(normalizeProgramFields({}), {}, 'absent fields stay absent');
});

t.test('refusals name what is valid', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ category: 'cooking' }, new RegExp(`Unknown category "cooking".*${CATEGORIES[0].id}`)],
    [{ audiences: 'rural-members,children' }, new RegExp(`Unknown audience "children".*${AUDIENCES[0].id}`)],
    [{ colour: 'red' }, /Unknown field "colour".*title/],
    [{ title: '   ' }, /title must not be empty/],
    [{ title: 'x'.repeat(201) }, /at most 200/],
    [{ episode: '2.5' }, /episode must be a whole number/],
    [{ episode: 0 }, /episode must be a whole number of at least 1/],
    [{ seriesId: 'abc' }, /seriesId must be a whole number/],
    [{ seriesId: 2, series: 'x' }, /either seriesId.*or series/],
    [{ published: 'maybe' }, /published must be true or false/],
    [{ language: 'Chinese (simplified)' }, /language must be a language tag/],
    [{ tags: '[not json' }, /JSON list/],
    [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, /At most 20 tags/],
    [{ audiences: [1, 2] }, /only strings/],
  ];
  for (const [raw, message] of cases) {
    const err = refusal(raw);
    t.equal(err.statusCode, 400, JSON.stringify(raw).slice(0, 60));
    t.match(err.message, message);
  }
});

t.test('titles from file names', async (t) => {
  t.equal(titleFromFileName('/mnt/usb/第3讲_党的二十大精神.mp4'), '第3讲 党的二十大精神');
  t.equal(titleFromFileName('C:\\课件\\lecture.final.wmv'), 'lecture.final');
  t.equal(titleFromFileName('.mp4'), 'Untitled');
});
