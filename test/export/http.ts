import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The message ended as HTTP says it should (for chunked: the zero-length chunk arrived). */
  complete: boolean;
  /** 'aborted' was emitted, or the response errored (ECONNRESET …). */
  broken: boolean;
  error?: Error;
}

/** A GET on its own connection, the whole body kept as bytes, and how the transfer ended. */
export function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let broken = false;
      let error: Error | undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => (broken = true));
      res.on('error', (e) => {
        broken = true;
        error = e;
      });
      res.on('close', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete && !broken, broken, error }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: http.IncomingHttpHeaders }> {
  const r = await get(url, headers);
  return { status: r.status, headers: r.headers, body: JSON.parse(r.body.toString('utf8')) as Record<string, unknown> };
}

/**
 * A GET whose reader is in the test's hands: it pauses after the first bytes, so the
 * server fills the socket and waits for 'drain'.
 */
export function openSlowPull(url: string, headers: Record<string, string>) {
  let resolveFirst!: () => void;
  let rejectFirst!: (e: Error) => void;
  const firstBytes = new Promise<void>((res, rej) => {
    resolveFirst = res;
    rejectFirst = rej;
  });
  const chunks: Buffer[] = [];
  let response: http.IncomingMessage | undefined;
  let request: http.ClientRequest | undefined;
  const ended = new Promise<{ complete: boolean; broken: boolean; body: Buffer; status: number; error?: Error }>((resolve) => {
    const req = http.request(url, { headers, agent: false }, (res) => {
      response = res;
      let broken = false;
      let error: Error | undefined;
      res.once('data', () => {
        res.pause();
        resolveFirst();
      });
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => (broken = true));
      res.on('error', (e) => {
        broken = true;
        error = e;
      });
      res.on('close', () => resolve({ complete: res.complete && !broken, broken, body: Buffer.concat(chunks), status: res.statusCode ?? 0, error }));
    });
    req.on('error', (e) => {
      rejectFirst(e);
      resolve({ complete: false, broken: true, body: Buffer.concat(chunks), status: 0, error: e });
    });
    req.end();
    request = req;
  });
  const pull = {
    firstBytes,
    ended,
    resume: () => response?.resume(),
    /** Hang up, as a client killed mid-download would. */
    disconnect: () => {
      response?.destroy();
      request?.destroy();
    },
  };
  return pull;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; returns its last answer. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000, everyMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await sleep(everyMs);
  }
}
