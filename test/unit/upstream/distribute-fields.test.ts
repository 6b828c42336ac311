// distribute / distributeTo as operators send them: JSON (PATCH) or multipart text fields (upload).
import t from 'tap';
import { normalizeProgramFields } from '../../../server/catalog/metadata.ts';
import type { AppError } from '../../../server/errors.ts';

t.test('distribute and distributeTo from JSON and from form fields', async (t) => {
  t.same(normalizeProgramFields({ distribute: true, distributeTo: [3, 7, 3] }), { distribute: true, distributeTo: [3, 7] });
  t.same(normalizeProgramFields({ distribute: 'true', distributeTo: '3,7' }), { distribute: true, distributeTo: [3, 7] });
  t.same(normalizeProgramFields({ distribute: 'false', distributeTo: '[3,7]' }), { distribute: false, distributeTo: [3, 7] });
  t.same(normalizeProgramFields({ distributeTo: '' }), { distributeTo: null }, 'empty: every province');
  t.same(normalizeProgramFields({ distributeTo: null }), { distributeTo: null });
  t.same(normalizeProgramFields({ distributeTo: [] }), { distributeTo: null });
});

t.test('malformed values are a 400 that says what to send', async (t) => {
  const refused = (raw: Record<string, unknown>) => {
    try {
      normalizeProgramFields(raw);
    } catch (err) {
      return err as AppError;
    }
    return undefined;
  };
  t.match(refused({ distribute: 'maybe' }), { statusCode: 400, message: /distribute must be true or false/ });
  t.match(refused({ distributeTo: 'three' }), { statusCode: 400, message: /distributeTo must be a whole number/ });
  t.match(refused({ distributeTo: [0] }), { statusCode: 400, message: /at least 1/ });
  t.match(refused({ distributeTo: [1.5] }), { statusCode: 400 });
});
