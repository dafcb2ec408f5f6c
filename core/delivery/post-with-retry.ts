/**
 * POST with retries, for plugins that ship export batches over HTTP.
 *
 * Retried: network errors, timeouts, 408, 429 and 5xx — the kinds of failure that go away.
 * Not retried: any other status (a 400 or 401 will not get better by asking again).
 * Waits grow exponentially with jitter (so many hosts recovering at once do not retry in
 * step); a `Retry-After` header replaces the computed wait. When the server asks for a
 * wait longer than `maxDelayMs`, or the retries run out, the promise rejects: the export
 * then keeps the batch and hands it over again on its next run, so nothing is lost.
 *
 * Part of the public API (`import { postWithRetry } from 'analytics-host'`): the bundled
 * segment and webhook plugins use it exactly as a third-party plugin would.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Wait before the first retry; doubled for each further one (before jitter). */
  baseDelayMs: number;
  /** Longest wait between two attempts, Retry-After included. */
  maxDelayMs: number;
  /** Time allowed for one attempt, response body included. */
  timeoutMs: number;
  /** Called before each wait, e.g. to log it. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

/** A request to send; called again for every attempt (so a signature can carry a fresh timestamp). */
export type RequestFactory = () => { headers: Record<string, string>; body: string | Uint8Array };

export interface DeliveryResult {
  status: number;
  /** The response body as text. */
  body: string;
  /** Attempts made, 1 when the first one succeeded. */
  attempts: number;
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    /** The last HTTP status, undefined after a network error or timeout. */
    readonly status: number | undefined,
    readonly body: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": between half and all of base * 2^(attempt-1), capped. */
export function backoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** A short reason for a failed fetch: "timed out", or the network error's code (ECONNREFUSED…). */
function describe(err: unknown): string {
  // Duck-typed: fetch's errors may come from another realm, where instanceof Error is false.
  const e = (err ?? {}) as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

export async function postWithRetry(url: string, request: RequestFactory, options: RetryOptions): Promise<DeliveryResult> {
  for (let attempt = 1; ; attempt++) {
    let status: number | undefined;
    let body = '';
    let reason: string;
    let askedWait: number | undefined;
    try {
      const { headers, body: payload } = request();
      const response = await fetch(url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(options.timeoutMs) });
      status = response.status;
      body = await response.text();
      if (response.ok) return { status, body, attempts: attempt };
      reason = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
      if (!retryable(status)) throw new DeliveryError(`${reason} (not retried)`, status, body, attempt);
      askedWait = retryAfterMs(response.headers.get('retry-after'));
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      reason = describe(err);
    }
    if (attempt > options.maxRetries) {
      throw new DeliveryError(`${reason} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'})`, status, body, attempt);
    }
    if (askedWait !== undefined && askedWait > options.maxDelayMs) {
      throw new DeliveryError(`${reason}; Retry-After asks for ${Math.ceil(askedWait / 1000)} s, longer than max_delay_ms`, status, body, attempt);
    }
    const delayMs = askedWait ?? backoffMs(attempt, options.baseDelayMs, options.maxDelayMs);
    options.onRetry?.({ attempt, delayMs, reason });
    await sleep(delayMs);
  }
}

/** Reads the retry settings shared by the HTTP plugins from their config section. */
export function retryOptionsFrom(config: Record<string, unknown>, plugin: string): Omit<RetryOptions, 'onRetry'> {
  const int = (key: string, fallback: number, min: number): number => {
    const value = config[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new Error(`integrations.${plugin}.${key} must be an integer >= ${min}`);
    }
    return value;
  };
  return {
    maxRetries: int('max_retries', 5, 0),
    baseDelayMs: int('base_delay_ms', 500, 0),
    maxDelayMs: int('max_delay_ms', 30_000, 0),
    timeoutMs: int('timeout_ms', 10_000, 1),
  };
}
