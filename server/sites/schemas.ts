// JSON schemas of the sites domain's wire shapes, for validation and the OpenAPI document.
import { RUNGS } from '../../common/manifest.ts';
import { LEVELS } from './regions.ts';

export const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;

export const levelSchema = { type: 'string', enum: [...LEVELS] } as const;
export const rungSchema = { type: 'string', enum: [...RUNGS] } as const;

const regionProps = {
  id: { type: 'integer' },
  parentId: { type: ['integer', 'null'] },
  name: { type: 'string' },
  level: levelSchema,
  path: { type: 'string', description: "materialised ancestry, e.g. '/1/4/9/'" },
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
} as const;

export const regionSchema = { type: 'object', properties: regionProps } as const;

/** Recursive tree node; OpenAPI shows children as nested regions. */
export const regionTreeSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: { ...regionProps, children: { type: 'array', items: { type: 'object', additionalProperties: true } } },
  },
} as const;

export const siteSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    regionId: { type: 'integer' },
    regionName: { type: 'string' },
    regionPath: { type: 'array', items: { type: 'string' } },
    contact: { type: 'string' },
    downloadWindow: { type: 'string' },
    bandwidthKbps: { type: 'integer' },
    maxRung: rungSchema,
    status: { type: 'string', enum: ['unpaired', 'paired', 'revoked'] },
    pairingExpiresAt: { type: ['string', 'null'] },
    pairedAt: { type: ['string', 'null'] },
    revokedAt: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

export const siteSettingsProps = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  regionId: { type: 'integer', description: 'a village' },
  contact: { type: 'string', maxLength: 500 },
  downloadWindow: { type: 'string', description: "'HH:MM-HH:MM' in the province's zone, may wrap midnight", examples: ['00:00-06:00'] },
  bandwidthKbps: { type: 'integer', minimum: 16, maximum: 10_000_000 },
  maxRung: rungSchema,
} as const;
