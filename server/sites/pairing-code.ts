// One-time pairing codes a site administrator types on a small PC: 8 characters from an alphabet without
// look-alikes (no 0/O, 1/I/L), shown as ABCD-EFGH, accepted in any case with or without spaces and dashes.
import { createHash, createHmac, randomInt } from 'node:crypto';

export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CODE_LENGTH = 8;
export const PAIRING_CODE_TTL_MS = 7 * 24 * 3600 * 1000;

export function newPairingCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The canonical form whose hash is stored: upper case, spaces and dashes dropped. */
export function normalizePairingCode(input: string): string {
  return input.toUpperCase().replace(/[\s\-_.]/g, '');
}

export function isWellFormedPairingCode(normalized: string): boolean {
  return normalized.length === CODE_LENGTH && [...normalized].every((c) => CODE_ALPHABET.includes(c));
}

/**
 * What the sites table stores for a code: HMAC-SHA256 under the server secret (server/auth/server-secret.ts), so
 * the ~40 bits of a code cannot be searched offline from a copy of the database; online, the pairing route's
 * limits bound the guess rate.
 */
export function pairingCodeHash(key: Buffer, normalized: string): string {
  return createHmac('sha256', key).update(normalized).digest('hex');
}

/** How codes issued before the HMAC were stored (unsalted sha256); still accepted until they expire (7 days). */
export const legacyPairingCodeHash = (normalized: string): string => createHash('sha256').update(normalized).digest('hex');
