// Program metadata as operators send it (multipart text fields, JSON bodies, import sidecars), checked
// and normalised into one shape. Pure: no database, no clock. Series titles are resolved later (repo.ts).
import { AUDIENCES, CATEGORIES, describeChoices, isAudience, isCategory } from '../../content/taxonomy.ts';
import { badRequest } from '../errors.ts';

export interface ProgramFields {
  title?: string;
  description?: string;
  lecturer?: string;
  category?: string | null;
  audiences?: string[];
  /** An existing series by id (null detaches the program from its series). */
  seriesId?: number | null;
  /** A series by title: the existing one of that title, else a new one. */
  seriesTitle?: string;
  episode?: number | null;
  tags?: string[];
  language?: string;
  published?: boolean;
  /** Offered to paired provinces (a centre, issue 13). */
  distribute?: boolean;
  /** The province region ids it is offered to; null: every paired province. */
  distributeTo?: number[] | null;
}

/** Field names accepted from clients, with the key they fill. `series` is the title form of `seriesId`. */
const FIELD_NAMES = [
  'title',
  'description',
  'lecturer',
  'category',
  'audiences',
  'seriesId',
  'series',
  'episode',
  'tags',
  'language',
  'published',
  'distribute',
  'distributeTo',
] as const;
const METADATA_FIELD_NAMES: readonly string[] = FIELD_NAMES;

const LIMITS = { title: 200, description: 5000, lecturer: 100, tag: 40, tags: 20, series: 200 };

function text(name: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw badRequest(`${name} must be text.`);
  const s = value.trim();
  if (s.length > max) throw badRequest(`${name} is ${s.length} characters long; at most ${max} are allowed.`);
  return s;
}

/** Lists arrive as JSON arrays, or in form fields as "a,b" / "a，b" (full-width comma) / a JSON array string. */
function list(name: string, value: unknown): string[] {
  let items: unknown[];
  if (Array.isArray(value)) items = value;
  else if (typeof value === 'string') {
    const s = value.trim();
    if (s.startsWith('[')) {
      try {
        const parsed = JSON.parse(s);
        if (!Array.isArray(parsed)) throw new Error('not a list');
        items = parsed;
      } catch {
        throw badRequest(`${name} looks like JSON but is not a JSON list of strings; send e.g. ["a","b"] or a,b.`);
      }
    } else items = s.split(/[,，、;；]/);
  } else throw badRequest(`${name} must be a list of strings, or text separated by commas.`);
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') throw badRequest(`${name} must contain only strings.`);
    const v = item.trim();
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

function integer(name: string, value: unknown, min: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > 1_000_000)
    throw badRequest(`${name} must be a whole number of at least ${min}, got ${JSON.stringify(value)}.`);
  return n;
}

function bool(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(s)) return true;
    if (['false', '0', 'no', 'off'].includes(s)) return false;
  }
  throw badRequest(`${name} must be true or false, got ${JSON.stringify(value)}.`);
}

/** Ids as JSON sends them ([3, 7]) or as a form field ("3,7" or "[3,7]"); each is checked by the caller. */
function idList(name: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      /* refused below */
    }
    throw badRequest(`${name} looks like JSON but is not a JSON list of ids; send e.g. [3,7] or 3,7.`);
  }
  return list(name, value);
}

const isEmpty = (v: unknown) => v === null || (typeof v === 'string' && v.trim() === '');

/**
 * Checks and normalises client-sent metadata. Unknown field names, unknown categories/audiences and
 * malformed values are refused with a 400 that names what is valid. Absent fields stay absent.
 */
export function normalizeProgramFields(raw: Record<string, unknown>): ProgramFields {
  const out: ProgramFields = {};
  for (const key of Object.keys(raw)) {
    if (!METADATA_FIELD_NAMES.includes(key))
      throw badRequest(`Unknown field "${key}". Program fields are: ${METADATA_FIELD_NAMES.join(', ')}.`, 'unknown_field');
  }
  if (raw.title !== undefined) {
    const title = text('title', raw.title, LIMITS.title);
    if (!title) throw badRequest('title must not be empty.');
    out.title = title;
  }
  if (raw.description !== undefined)
    out.description = isEmpty(raw.description) ? '' : text('description', raw.description, LIMITS.description);
  if (raw.lecturer !== undefined) out.lecturer = isEmpty(raw.lecturer) ? '' : text('lecturer', raw.lecturer, LIMITS.lecturer);
  if (raw.category !== undefined) {
    if (isEmpty(raw.category)) out.category = null;
    else {
      const c = text('category', raw.category, 100);
      if (!isCategory(c))
        throw badRequest(`Unknown category "${c}". Valid categories: ${describeChoices(CATEGORIES)}.`, 'unknown_category');
      out.category = c;
    }
  }
  if (raw.audiences !== undefined) {
    const audiences = raw.audiences === null ? [] : list('audiences', raw.audiences);
    const unknown = audiences.filter((a) => !isAudience(a));
    if (unknown.length)
      throw badRequest(`Unknown audience "${unknown.join('", "')}". Valid audiences: ${describeChoices(AUDIENCES)}.`, 'unknown_audience');
    out.audiences = audiences;
  }
  if (raw.seriesId !== undefined && raw.series !== undefined && !isEmpty(raw.series) && !isEmpty(raw.seriesId))
    throw badRequest('Send either seriesId (an existing series) or series (a series title), not both.');
  if (raw.seriesId !== undefined) out.seriesId = isEmpty(raw.seriesId) ? null : integer('seriesId', raw.seriesId, 1);
  if (raw.series !== undefined) {
    if (isEmpty(raw.series)) out.seriesId = out.seriesId ?? null;
    else out.seriesTitle = text('series', raw.series, LIMITS.series);
  }
  if (raw.episode !== undefined) out.episode = isEmpty(raw.episode) ? null : integer('episode', raw.episode, 1);
  if (raw.tags !== undefined) {
    const tags = raw.tags === null ? [] : list('tags', raw.tags);
    if (tags.length > LIMITS.tags) throw badRequest(`At most ${LIMITS.tags} tags are allowed, got ${tags.length}.`);
    const long = tags.find((t) => t.length > LIMITS.tag);
    if (long) throw badRequest(`Tag "${long.slice(0, 20)}…" is longer than ${LIMITS.tag} characters.`);
    out.tags = tags;
  }
  if (raw.language !== undefined) {
    const lang = text('language', raw.language, 35);
    // BCP 47 shape, e.g. zh-CN, en, zh-Hans-CN, bo (Tibetan), ug (Uyghur).
    if (!/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(lang))
      throw badRequest(`language must be a language tag such as zh-CN or en, got "${lang}".`);
    out.language = lang;
  }
  if (raw.published !== undefined) out.published = bool('published', raw.published);
  if (raw.distribute !== undefined) out.distribute = bool('distribute', raw.distribute);
  if (raw.distributeTo !== undefined) {
    // JSON sends numbers, a form "3,7" or "[3,7]": both become a list of whole numbers; empty means every province.
    const ids = isEmpty(raw.distributeTo) ? [] : idList('distributeTo', raw.distributeTo);
    out.distributeTo = ids.length ? [...new Set(ids.map((id) => integer('distributeTo', id, 1)))] : null;
  }
  return out;
}

/** A title for a program sent without one: the file name without its extension and separators. */
export function titleFromFileName(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]{1,5}$/, '');
  const title = base.replace(/[_]+/g, ' ').trim();
  return (title || 'Untitled').slice(0, LIMITS.title);
}
