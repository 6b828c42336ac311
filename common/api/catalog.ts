// The catalog API's schemas: programs (list/search, read, edit, publish, delete, upload fields), series and the
// taxonomy. Route files take their request and response types from here through Fastify's TypeBox type provider;
// the console imports the same types.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AUDIENCE_IDS, CATEGORY_IDS } from '../../content/taxonomy.ts';
import { PageQuery } from './shared.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
/** Text without NUL characters (SQLite and the search index treat NUL as the end of the text). */
const Text = (maxLength: number, description?: string) =>
  Type.String({ maxLength, pattern: '^[^\\u0000]*$', ...(description ? { description } : {}) });

export const ProgramStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('processing'),
  Type.Literal('ready'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type ProgramStatus = Static<typeof ProgramStatus>;

export const ProgramSort = Type.Union(
  [
    Type.Literal('relevance'),
    Type.Literal('createdAt'),
    Type.Literal('-createdAt'),
    Type.Literal('title'),
    Type.Literal('-title'),
    Type.Literal('duration'),
    Type.Literal('-duration'),
    Type.Literal('episode'),
    Type.Literal('-episode'),
  ],
  { description: 'Default: relevance with q, else -createdAt (newest first).' },
);
export type ProgramSort = Static<typeof ProgramSort>;
export const PROGRAM_SORTS: readonly ProgramSort[] = ProgramSort.anyOf.map((l) => l.const);

export const Rendition = Type.Object({
  name: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  bandwidth: Type.Integer({ description: 'Peak bits/s, as the master playlist announces it.' }),
});
export type Rendition = Static<typeof Rendition>;

/** Where a program comes from: made here, or mirrored read-only from the central platform (issue 13). */
export const ProgramOrigin = Type.Union([Type.Literal('local'), Type.Literal('central')]);
export type ProgramOrigin = Static<typeof ProgramOrigin>;

/** One program as the catalog shows it: metadata, pipeline status and where its media are. */
export const Program = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  lecturer: Type.String(),
  category: Nullable(Type.String()),
  audiences: Type.Array(Type.String()),
  seriesId: Nullable(Type.Integer()),
  seriesTitle: Nullable(Type.String()),
  episode: Nullable(Type.Integer()),
  tags: Type.Array(Type.String()),
  language: Type.String(),
  published: Type.Boolean(),
  status: ProgramStatus,
  progress: Type.Number({ description: '0-100' }),
  etaSeconds: Nullable(Type.Number({ description: 'Seconds left of the running transcode.' })),
  error: Nullable(Type.String({ description: 'Why the transcode failed, for a person.' })),
  duration: Nullable(Type.Number({ description: 'Seconds actually decoded; null until ready.' })),
  renditions: Type.Array(Rendition),
  poster: Nullable(Type.String({ description: 'URL path of the poster JPEG (when ready and published).' })),
  hls: Nullable(Type.String({ description: 'URL path of the master playlist (when ready and published; open to all).' })),
  previewUrl: Nullable(
    Type.String({
      description:
        'Operators only: a signed, expiring URL path of the master playlist that plays drafts too (null for other roles ' +
        'and until ready).',
    }),
  ),
  sourceName: Nullable(Type.String()),
  sourceSize: Nullable(Type.Integer()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  origin: ProgramOrigin,
  distribute: Type.Boolean({ description: 'At a centre: offered to paired provinces (published and ready ones reach them).' }),
  distributeTo: Nullable(Type.Array(Type.Integer(), { description: 'Province region ids it is offered to; null: every paired province.' })),
});
export type Program = Static<typeof Program>;

export const ProgramPage = Type.Object({ items: Type.Array(Program), total: Type.Integer() });
export type ProgramPage = Static<typeof ProgramPage>;

export const ProgramListQuery = Type.Object(
  {
    q: Type.Optional(Text(200, 'Substring search in title, description, lecturer, tags (works on Chinese).')),
    category: Type.Optional(Type.Union(CATEGORY_IDS.map((c) => Type.Literal(c)))),
    audience: Type.Optional(Type.Union(AUDIENCE_IDS.map((a) => Type.Literal(a)))),
    series: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Series id.' })),
    status: Type.Optional(ProgramStatus),
    published: Type.Optional(Type.Boolean({ description: 'Operators only; organizers always see published programs.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
    offset: PageQuery.offset,
    sort: Type.Optional(ProgramSort),
  },
  { additionalProperties: false },
);
export type ProgramListQuery = Static<typeof ProgramListQuery>;

/** Program fields as an operator sends them (JSON PATCH); checked again, with messages, by the server's normaliser. */
const programFieldSchemas = {
  title: Text(200),
  description: Text(5000),
  lecturer: Text(100),
  category: Nullable(Type.String({ maxLength: 100 })),
  audiences: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 }),
  seriesId: Nullable(Id),
  series: Text(200, 'Series title: the existing series of that title, else a new one.'),
  episode: Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  tags: Type.Array(Text(40), { maxItems: 20 }),
  language: Type.String({ maxLength: 20 }),
  published: Type.Boolean(),
  distribute: Type.Boolean({ description: 'Offer it to paired provinces (a centre).' }),
  distributeTo: Nullable(Type.Array(Id, { maxItems: 100, description: 'Province region ids; null or absent: every province.' })),
};
export const ProgramPatch = Type.Partial(Type.Object(programFieldSchemas), { additionalProperties: false, minProperties: 1 });
export type ProgramPatch = Static<typeof ProgramPatch>;

/**
 * POST /api/programs is multipart/form-data: part "file" (the courseware) plus these text fields (lists as "a,b" or a
 * JSON array string; booleans as true/false). Fields sent before the file are checked before the upload is read.
 */
export const UploadFields = Type.Partial(
  Type.Object({
    title: Type.String(),
    description: Type.String(),
    lecturer: Type.String(),
    category: Type.String(),
    audiences: Type.String(),
    series: Type.String(),
    seriesId: Type.String(),
    episode: Type.String(),
    tags: Type.String(),
    language: Type.String(),
    published: Type.String(),
    distribute: Type.String({ description: 'true/false' }),
    distributeTo: Type.String({ description: 'Province region ids, "3,7" or a JSON array.' }),
  }),
);
export type UploadFields = Static<typeof UploadFields>;

// ---- series ----

export const Series = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  description: Type.String(),
  programCount: Type.Integer({ description: 'Programs the caller may see (organizers: published ones).' }),
  createdAt: Type.String(),
});
export type Series = Static<typeof Series>;
export const SeriesList = Type.Object({ items: Type.Array(Series) });
export type SeriesList = Static<typeof SeriesList>;

const seriesFields = { title: Text(200), description: Text(5000) };
export const SeriesCreate = Type.Object(
  { title: Type.String({ ...seriesFields.title, minLength: 1 }), description: Type.Optional(seriesFields.description) },
  { additionalProperties: false },
);
export type SeriesCreate = Static<typeof SeriesCreate>;
export const SeriesPatch = Type.Partial(Type.Object(seriesFields), { additionalProperties: false, minProperties: 1 });
export type SeriesPatch = Static<typeof SeriesPatch>;

// ---- taxonomy ----

export const TaxonomyEntry = Type.Object({ id: Type.String(), zh: Type.String(), en: Type.String() });
export type TaxonomyEntry = Static<typeof TaxonomyEntry>;
export const Taxonomy = Type.Object({ categories: Type.Array(TaxonomyEntry), audiences: Type.Array(TaxonomyEntry) });
export type Taxonomy = Static<typeof Taxonomy>;
