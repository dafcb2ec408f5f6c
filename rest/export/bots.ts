import { isbot } from 'isbot';
import type { Dialect, SqlValue } from '../../core/db/types';
import type { EventReader, EventWindow } from '../../core/store/event-reader';

/**
 * Fields of an event document that may hold the browser's user agent: the Altis tracker's
 * `attributes.userAgent` (what the Segment mapping reads), Pinpoint's
 * `endpoint.Demographic.UserAgent`, and `device.userAgent`. An event is a bot's when any
 * of them is a JSON string that isbot recognises (other types are ignored).
 */
export const USER_AGENT_PATHS: readonly string[] = ['$.attributes.userAgent', '$.endpoint.Demographic.UserAgent', '$.device.userAgent'];

/**
 * The field's text when it is a JSON string, else NULL (a number is no user agent; both
 * engines agree on that only when the type is checked). Takes the path twice.
 */
function stringAt(dialect: Dialect): string {
  if (dialect.name === 'sqlite') return `(CASE WHEN json_type(doc, ?) = 'text' THEN json_extract(doc, ?) END)`;
  return `(CASE WHEN JSON_TYPE(JSON_EXTRACT(doc, ?)) = 'STRING' THEN JSON_UNQUOTE(JSON_EXTRACT(doc, ?)) END)`;
}

/**
 * The SQL condition that leaves out the window's bot events. The user agents are read in
 * the database (one DISTINCT pass per field over the window, only the distinct texts come
 * back), isbot judges each distinct text once, and the recognised ones become a `NOT IN`
 * list: counts, keyset pages and page boundaries are then all plain SQL over the same
 * condition, so X-WP-Total is exact and no document is parsed in Node. Undefined when the
 * window holds no bot event.
 */
export async function botFilter(
  reader: Pick<EventReader, 'distinctValues'>,
  dialect: Dialect,
  window: EventWindow,
): Promise<{ sql: string; params: SqlValue[] } | undefined> {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const path of USER_AGENT_PATHS) {
    const expr = stringAt(dialect);
    const values = await reader.distinctValues(window, { sql: expr, params: [path, path] });
    const bots = new Set<string>();
    for (const v of values) {
      const text = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : null;
      if (text !== null && text !== '' && isbot(text)) bots.add(text);
    }
    if (bots.size === 0) continue;
    // COALESCE: a missing field is not a bot's, and must not make the NOT IN unknown.
    parts.push(`COALESCE(${expr}, '') NOT IN (${[...bots].map(() => '?').join(',')})`);
    params.push(path, path, ...bots);
  }
  return parts.length > 0 ? { sql: parts.join(' AND '), params } : undefined;
}
