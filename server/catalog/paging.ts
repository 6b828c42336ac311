// Fastify's ajv coerces "1e400" and "Infinity" in a query to Infinity and lets it through every integer bound
// (minimum/maximum are not applied to it); a non-finite number reaching SQLite is a 500. Refused here.
import { badRequest } from '../errors.ts';

/** Throws a 400 naming the first query number that is not finite. */
export function refuseNonFinite(query: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw badRequest(`querystring.${name} must be a whole number within its bounds, got ${value}.`, 'invalid_input');
  }
}
