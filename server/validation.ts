// Request validation: two ajv compilers. Query strings, path parameters and headers arrive as text, so they are
// coerced to the schema's types; JSON bodies arrive typed and are validated as sent. (With coercion on bodies, ajv
// turned a `null` in a nullable integer into 0 while trying the first branch of the union: clearing a field failed.)
import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifySchemaCompiler } from 'fastify';
import type { FastifyValidationResult } from 'fastify/types/schema.js';
import { badRequest } from './errors.ts';

// @fastify/ajv-compiler's types describe the compiler as taking a bare schema; Fastify calls it with the route
// definition ({ schema, method, url, httpPart }), which is what this module relies on.
function compiler(externalSchemas: Record<string, never>, coerceTypes: 'array' | false): FastifySchemaCompiler<unknown> {
  const build = AjvCompiler()(externalSchemas, { customOptions: { removeAdditional: false, allErrors: false, coerceTypes } });
  return build as unknown as FastifySchemaCompiler<unknown>;
}

/** The app's validator compiler (no shared schemas are registered: TypeBox schemas are inlined where used). */
export function requestValidator(): FastifySchemaCompiler<unknown> {
  const coercing = compiler({}, 'array');
  const asSent = compiler({}, false);
  return (route) => {
    if (route.httpPart === 'body') return asSent(route);
    const validate = coercing(route);
    // Text such as "1e400" coerces to Infinity, which slips past integer bounds: refuse it by name.
    const checked: FastifyValidationResult = (data: unknown) => {
      const ok = validate(data);
      checked.errors = validate.errors;
      if (!ok) return false;
      const bad = nonFinite(data);
      return bad ? { error: badRequest(`${route.httpPart}.${bad} must be a finite number.`, 'invalid_input') } : true;
    };
    return checked;
  };
}

/** The first field of a query/params object holding a non-finite number, if any. */
function nonFinite(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  for (const [key, value] of Object.entries(data)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'number' && !Number.isFinite(v))) return key;
  }
  return undefined;
}
