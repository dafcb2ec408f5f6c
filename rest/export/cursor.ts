import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { KeysetPosition } from '../../core/store/event-reader';
import { invalidParam } from '../errors';

/**
 * The opaque `cursor` of a resumable pull: `base64url(JSON payload) "." base64url(HMAC)`,
 * the HMAC-SHA256 keyed with the server secret over the first part. The payload holds the
 * keyset position of the last event sent, the pull's horizon (MAX(id) at its first page:
 * later arrivals never enter it), the pull's total and the events sent so far, and a
 * fingerprint of the parameters that define the result, so a cursor only resumes the pull
 * it came from.
 */
export interface CursorState {
  after: KeysetPosition;
  maxId: number;
  total: number;
  sent: number;
}

interface Payload {
  v: 1;
  p: [number, number];
  h: number;
  t: number;
  s: number;
  f: string;
}

/** A short, stable digest of the parameters that define a pull's result. */
export function fingerprint(params: Record<string, string | boolean | number>): string {
  const keys = Object.keys(params).sort();
  const canonical = JSON.stringify(keys.map((k) => [k, params[k]]));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

function mac(secret: Buffer, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export function encodeCursor(secret: Buffer, state: CursorState, print: string): string {
  const payload: Payload = { v: 1, p: [state.after.ts, state.after.id], h: state.maxId, t: state.total, s: state.sent, f: print };
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** The state of a cursor this server signed for the same query, else a 400 naming `cursor`. */
export function decodeCursor(secret: Buffer, cursor: string, print: string): CursorState {
  const bad = (why: string) => invalidParam('cursor', why);
  const m = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/.exec(cursor);
  if (!m) throw bad('cursor is not a cursor this server issued.');
  const given = Buffer.from(m[2], 'base64url');
  const expected = mac(secret, m[1]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad('cursor is not a cursor this server issued.');
  let p: Payload;
  try {
    p = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as Payload;
  } catch {
    throw bad('cursor is not a cursor this server issued.');
  }
  if (p?.v !== 1 || !Array.isArray(p.p) || !Number.isSafeInteger(p.p[0]) || !isCount(p.p[1]) || !isCount(p.h) || !isCount(p.t) || !isCount(p.s)) {
    throw bad('cursor is not a cursor this server issued.');
  }
  if (p.f !== print) throw bad('cursor belongs to another query: resume a pull with the parameters it started with.');
  return { after: { ts: p.p[0], id: p.p[1] }, maxId: p.h, total: p.t, sent: p.s };
}
