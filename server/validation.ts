// Request validation: two ajv compilers. Query strings, path parameters and headers arrive as text, so they are
// coerced to the schema's types; JSON bodies arrive typed and are validated as sent. (With coercion on bodies, ajv
// turned a `null` in a nullable integer into 0 while trying the first branch of the union: clearing a field failed.)
import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifySchemaCompiler } from 'fastify';

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
  return (route) => (route.httpPart === 'body' ? asSent : coercing)(route);
}
