import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../core/db/mysql-cluster';

/** A WordPress REST error: `{ code, message, data: { status, ... } }` with that HTTP status. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly data: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RestError';
  }
}

/** 400 rest_invalid_param naming the parameter, as WordPress's argument validation does. */
export function invalidParam(param: string, reason: string, data: Record<string, unknown> = {}): RestError {
  return new RestError(400, 'rest_invalid_param', `Invalid parameter(s): ${param}`, { params: { [param]: reason }, ...data });
}

export function sendRestError(res: Response, err: RestError): void {
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.status(err.status).json({ code: err.code, message: err.message, data: { status: err.status, ...err.data } });
}

export function noRoute(req: Request, _res: Response, next: NextFunction): void {
  next(new RestError(404, 'rest_no_route', 'No route was found matching the URL and request method.'));
}

/** Last handler: REST errors as they are; body-parser errors mapped; anything else a 500 that leaks nothing. */
export function restErrorHandler(log: { error(m: string): void }) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      // Mid-stream: the only honest signal left is a broken transfer.
      res.destroy(err instanceof Error ? err : undefined);
      return;
    }
    if (err instanceof RestError) return sendRestError(res, err);
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.too.large') return sendRestError(res, new RestError(413, 'rest_payload_too_large', 'The request body is larger than ingest.max_body_bytes.'));
    if (e?.type === 'entity.parse.failed') return sendRestError(res, new RestError(400, 'rest_invalid_json', `Invalid JSON body passed: ${e.message ?? ''}`));
    log.error(`${req.method} ${req.path} failed: ${err instanceof Error ? err.message : String(err)}`);
    void next;
    // The database node died or left the cluster, or contention outlived the retries: the
    // same request may succeed in a moment (on another node).
    if (isDatabaseUnavailable(err)) {
      return sendRestError(res, new RestError(503, 'rest_store_unavailable', 'The event store is unavailable for the moment. Retry later.', {}, { 'Retry-After': '5' }));
    }
    sendRestError(res, new RestError(500, 'rest_internal_error', 'The server could not complete the request.'));
  };
}
