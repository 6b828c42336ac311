// One error shape for every route: { error: { code, message } }, and never a 500 for bad input.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HHMM } from '../common/api/broadcast.ts';

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Headers the answer carries (Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = 'bad_request') => new AppError(400, code, message);
export const unauthorized = (message = 'Sign in first: send Authorization: Bearer <token>.') => new AppError(401, 'unauthorized', message);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);
export const notFound = (message: string) => new AppError(404, 'not_found', message);
export const conflict = (message: string, code = 'conflict') => new AppError(409, code, message);
export const tooLarge = (message: string) => new AppError(413, 'too_large', message);
/** 429 with Retry-After (whole seconds, at least 1) and a message that says when to try again. */
export function tooManyRequests(what: string, retryAfterMs: number, code = 'too_many_attempts'): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(429, code, `${what}; try again in ${seconds} s.`, { 'retry-after': String(seconds) });
}
export const unprocessable = (message: string, code = 'unprocessable') => new AppError(422, code, message);

/** Turns an ajv validation error list into one sentence a person can act on. */
function describeValidation(err: FastifyError): string {
  const v = err.validation?.[0];
  if (!v) return err.message;
  const where = (err.validationContext ?? 'body') + (v.instancePath ? v.instancePath.replace(/\//g, '.') : '');
  const params = v.params as Record<string, unknown>;
  if (v.keyword === 'required') return `${where}: "${params.missingProperty}" is required.`;
  if (v.keyword === 'additionalProperties') return `${where}: unknown field "${params.additionalProperty}".`;
  if (v.keyword === 'enum') return `${where} must be one of: ${(params.allowedValues as unknown[]).join(', ')}.`;
  // A TypeBox union of literals fails as one `const` error per choice: name them all.
  if (v.keyword === 'const') {
    const choices = err.validation!.filter((e) => e.keyword === 'const' && e.instancePath === v.instancePath);
    return `${where} must be one of: ${choices.map((e) => String((e.params as { allowedValue: unknown }).allowedValue)).join(', ')}.`;
  }
  // A pattern is no sentence: say what to send for the ones a person types.
  const words = v.keyword === 'pattern' ? PATTERN_WORDS.get(String(params.pattern)) : undefined;
  if (words) return `${where} must be ${words}.`;
  return `${where} ${v.message}.`;
}

/** What a pattern asks for, in words, for the patterns people type by hand. */
const PATTERN_WORDS = new Map([
  [HHMM, 'a time of day written HH:MM, from 00:00 to 24:00 (for example 19:30)'],
  ['^\\d{4}-\\d{2}-\\d{2}$', 'a day written YYYY-MM-DD (for example 2026-11-30)'],
]);

/**
 * Errors the router raises before any route runs (Fastify's `frameworkErrors`): a malformed percent-encoding in the
 * path, a path parameter over the router's length limit. Same shape and a message a person can act on.
 */
export function frameworkError(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const message =
    err.code === 'FST_ERR_BAD_URL'
      ? 'The address is not valid: a percent sign must be followed by two hex digits of valid UTF-8 (%E4%B8%AD). Fix the link.'
      : tooLong
        ? 'A part of the address is too long: ids are whole numbers, names at most 100 characters.'
        : err.message;
  reply.status(tooLong ? 414 : 400).send({ error: { code: tooLong ? 'uri_too_long' : 'bad_url', message } });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      return reply
        .status(err.statusCode)
        .headers(err.headers)
        .send({ error: { code: err.code, message: err.message } });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.status(400).send({ error: { code: 'invalid_input', message: describeValidation(fe) } });
    }
    const status = fe.statusCode ?? 500;
    if (status === 429) {
      // Anything else that refuses for load (a plugin's limit) still says when to come back.
      const retry = Number(reply.getHeader('retry-after')) || 60;
      return reply
        .status(429)
        .header('retry-after', String(retry))
        .send({
          error: { code: 'too_many_requests', message: `Too many requests; try again in ${retry} s.` },
        });
    }
    if (status >= 400 && status < 500) {
      const code = (fe.code ?? 'bad_request').toLowerCase().replace(/^fst_(err_)?/, '');
      return reply.status(status).send({ error: { code, message: fe.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal error; the operator log has details.' } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: `No such path: ${req.method} ${req.url.split('?')[0]}` } });
  });
}

/** The JSON schema of the error body, for route documentation (written once in common/api). */
export { ErrorBody as errorSchema } from '../common/api/shared.ts';
