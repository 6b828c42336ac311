// Schemas every API domain shares: the error body, id parameters, paging. TypeBox objects are JSON Schema at run
// time (Fastify validates and documents with them) and TypeScript types at compile time (routes and the console
// take their request and response types from here: one source, never retyped by hand).
import { Type, type Static } from '@sinclair/typebox';

/** Every 4xx/5xx answer: `{ error: { code, message } }`, the message says what to fix. */
export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String() }) },
  { description: 'What went wrong and what to do about it.' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** `/:id` path parameters (SQLite rowids start at 1). */
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
export type IdParams = Static<typeof IdParams>;

/** Paged lists answer `{ items, total }`; limit and offset are bounded so no query can ask for the impossible. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
};
export const Page = <T extends import('@sinclair/typebox').TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer() });

/** Report and export formats. */
export const Format = Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('html')]);
export type Format = Static<typeof Format>;
