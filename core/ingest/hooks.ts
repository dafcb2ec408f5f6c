import type { Hooks } from '../../hooks';
import type { Logger } from '../log';
import type { FileSource, IngestResult } from '../store/ingest';

/** Action fired after a file of events is committed: `(info: EventsIngested)`. */
export const EVENTS_INGESTED_ACTION = 'altis.analytics.events_ingested';
/** Filter of the capability needed to POST events (default `manage_options`). */
export const INGEST_CAPABILITY_FILTER = 'altis.analytics.ingest_events_capability';
export const DEFAULT_INGEST_CAPABILITY = 'manage_options';

export interface EventsIngested extends IngestResult {
  /** `http` (POST /wp-json/analytics/v1/events) or `import` (the CLI). */
  source: FileSource;
}

/**
 * Runs `altis.analytics.events_ingested`. The file is already committed: a throwing
 * callback is logged and changes nothing for the sender.
 */
export function fireEventsIngested(hooks: Hooks, info: EventsIngested, log?: Logger): void {
  try {
    hooks.do_action(EVENTS_INGESTED_ACTION, info);
  } catch (err) {
    log?.warn(`A callback of ${EVENTS_INGESTED_ACTION} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
