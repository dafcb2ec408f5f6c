import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const APPLICATION_PASSWORD_LENGTH = 24;

/** 24 characters of [A-Za-z0-9] from the CSPRNG (~143 bits): no slow hash is needed. */
export function generateApplicationPassword(): string {
  let out = '';
  for (let i = 0; i < APPLICATION_PASSWORD_LENGTH; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** As WordPress shows it: groups of four, for humans to copy. */
export function chunkForDisplay(password: string): string {
  return password.match(/.{1,4}/g)?.join(' ') ?? password;
}

/** Spaces are ignored, as in WordPress, so the grouped form works too. */
export function normalizeApplicationPassword(input: string): string {
  return input.replace(/\s+/g, '');
}

/** The keyed hash stored instead of the password (HMAC-SHA256 with the server secret), hex. */
export function hashApplicationPassword(secret: Buffer, password: string): string {
  return createHmac('sha256', secret).update(normalizeApplicationPassword(password), 'utf8').digest('hex');
}

/** Constant-time comparison of a candidate's hash with a stored one. */
export function hashesMatch(candidateHex: string, storedHex: string): boolean {
  const a = Buffer.from(candidateHex, 'hex');
  const b = Buffer.from(storedHex, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
