import zlib from 'node:zlib';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Host } from '../../core/host';
import { DEFAULT_INGEST_CAPABILITY, fireEventsIngested, INGEST_CAPABILITY_FILTER } from '../../core/ingest/hooks';
import { errorData, EventValidationError, formatOfContentType, IngestBodyError, parseEventsBody, type ValidatedEvent } from '../../core/ingest/parse';
import { describePosition } from '../../core/events/validate';
import type { IngestResult } from '../../core/store/ingest';
import { requireApplicationPassword } from '../middleware/authenticate';
import { requireCapability } from '../middleware/permission';
import { RestError } from '../errors';

const tooLarge = (limit: number) =>
  new RestError(413, 'rest_payload_too_large', `The request body is larger than ingest.max_body_bytes (${limit} bytes). Nothing was stored: send the events in smaller requests.`, { max_body_bytes: limit }, { Connection: 'close' });

const invalidBody = (message: string, data: Record<string, unknown> = {}) => new RestError(400, 'rest_invalid_param', message, { params: { body: message }, ...data });

/**
 * The request body as bytes, decoded from gzip when sent so, refused with 413 as soon as
 * either the bytes on the wire or the decoded bytes pass `limit` — nothing more is buffered.
 */
export function readBody(req: Request, limit: number): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
    return Promise.reject(new RestError(415, 'rest_unsupported_media_type', `Unsupported Content-Encoding "${encoding}": send the body as is or gzip-compressed.`));
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  const gzip = encoding !== 'identity';
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let wire = 0;
    let decoded = 0;
    let settled = false;
    const inflater = gzip ? zlib.createGunzip() : null;
    const finish = (err: Error | null, body?: Buffer) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) {
        // Stop reading: what the client still sends is not buffered anywhere.
        req.pause();
        inflater?.destroy();
        reject(err);
      } else resolve(body as Buffer);
    };
    const onDecoded = (chunk: Buffer) => {
      decoded += chunk.length;
      if (decoded > limit) return finish(tooLarge(limit));
      chunks.push(chunk);
    };
    const onData = (chunk: Buffer) => {
      wire += chunk.length;
      if (wire > limit) return finish(tooLarge(limit));
      if (inflater) inflater.write(chunk);
      else onDecoded(chunk);
    };
    const onEnd = () => {
      if (!inflater) return finish(null, Buffer.concat(chunks, decoded));
      inflater.end();
    };
    const onError = (err: Error) => finish(err);
    const onAborted = () => finish(new Error('the client closed the connection before the body was complete'));
    if (inflater) {
      inflater.on('data', onDecoded);
      inflater.on('end', () => finish(null, Buffer.concat(chunks, decoded)));
      inflater.on('error', (err: Error) => finish(invalidBody(`The request body is not valid gzip (${err.message}) although Content-Encoding says gzip.`)));
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseBody(body: Buffer, format: 'json' | 'ndjson'): ValidatedEvent[] {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw invalidBody('The request body is not valid UTF-8.');
  }
  try {
    return parseEventsBody(text, format);
  } catch (err) {
    if (err instanceof EventValidationError) {
      const what = err.field ? `${err.field} ${err.reason}` : err.reason;
      const where = describePosition(err.position);
      throw invalidBody(`Invalid ${where.startsWith('line') ? 'event on ' : ''}${where}: ${what}. Nothing was stored.`, errorData(err));
    }
    if (err instanceof IngestBodyError) throw invalidBody(err.message);
    throw err;
  }
}

/** POST /wp-json/analytics/v1/events: a JSON array, one event object, or NDJSON → one stored file (SPEC "Events and files"). */
export function ingestRoute(host: Host): RequestHandler[] {
  const handler = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const format = formatOfContentType(req.headers['content-type']);
      if (!format) {
        throw new RestError(
          415,
          'rest_unsupported_media_type',
          `Unsupported Content-Type "${req.headers['content-type'] ?? ''}": send application/json (an array of events or one event) or application/x-ndjson (one event per line), UTF-8.`,
        );
      }
      const events = parseBody(await readBody(req, host.config.ingest.max_body_bytes), format);
      let result: IngestResult;
      try {
        result = await host.store.ingest.storeFile(events, 'http');
      } catch (err) {
        host.log.error(`Storing ${events.length} events failed: ${err instanceof Error ? err.message : String(err)}`);
        throw new RestError(503, 'rest_store_unavailable', 'The event store is unavailable; nothing was stored. Retry later.', {}, { 'Retry-After': '5' });
      }
      fireEventsIngested(host.hooks, { ...result, source: 'http' }, host.log);
      res.status(202).json({ accepted: result.accepted, duplicates: result.duplicates, file: result.file });
    } catch (err) {
      next(err);
    }
  };
  return [requireApplicationPassword(host), requireCapability(host, INGEST_CAPABILITY_FILTER, DEFAULT_INGEST_CAPABILITY), handler];
}
