// JSON schemas of the catalog's wire shapes (route validation, response serialisation, OpenAPI).
import { AUDIENCE_IDS, CATEGORY_IDS } from '../../content/taxonomy.ts';
import { SORTS } from './search.ts';

export const STATUSES = ['queued', 'processing', 'ready', 'failed', 'cancelled'] as const;

const nullableString = { type: ['string', 'null'] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

export const programSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    title: { type: 'string' },
    description: { type: 'string' },
    lecturer: { type: 'string' },
    category: nullableString,
    audiences: { type: 'array', items: { type: 'string' } },
    seriesId: nullableInt,
    seriesTitle: nullableString,
    episode: nullableInt,
    tags: { type: 'array', items: { type: 'string' } },
    language: { type: 'string' },
    published: { type: 'boolean' },
    status: { type: 'string', enum: STATUSES },
    progress: { type: 'number', description: '0-100' },
    etaSeconds: { type: ['number', 'null'], description: 'seconds left of the running transcode' },
    error: { ...nullableString, description: 'why the transcode failed, for a person' },
    duration: { type: ['number', 'null'], description: 'seconds actually decoded; null until ready' },
    renditions: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' }, bandwidth: { type: 'integer' } },
      },
    },
    poster: { ...nullableString, description: 'URL path of the poster JPEG (when ready)' },
    hls: { ...nullableString, description: 'URL path of the master playlist (when ready)' },
    sourceName: nullableString,
    sourceSize: nullableInt,
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

export const programListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 200, description: 'substring search in title, description, lecturer, tags (works on Chinese)' },
    category: { type: 'string', enum: CATEGORY_IDS as string[] },
    audience: { type: 'string', enum: AUDIENCE_IDS as string[] },
    series: { type: 'integer', minimum: 1, description: 'series id' },
    status: { type: 'string', enum: STATUSES },
    published: { type: 'boolean', description: 'operators only; organizers always see published programs' },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
    offset: { type: 'integer', minimum: 0, default: 0 },
    sort: { type: 'string', enum: SORTS, description: 'default: relevance with q, else -createdAt (newest first)' },
  },
} as const;

/** PATCH body: every field optional; values are checked again by normalizeProgramFields. */
export const programPatchBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: {
    title: { type: 'string' },
    description: { type: 'string' },
    lecturer: { type: 'string' },
    category: nullableString,
    audiences: { type: 'array', items: { type: 'string' } },
    seriesId: nullableInt,
    series: { type: 'string', description: 'series title: the existing series of that title, else a new one' },
    episode: nullableInt,
    tags: { type: 'array', items: { type: 'string' } },
    language: { type: 'string' },
    published: { type: 'boolean' },
  },
} as const;

export const seriesSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    title: { type: 'string' },
    description: { type: 'string' },
    programCount: { type: 'integer' },
    createdAt: { type: 'string' },
  },
} as const;

export const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;
