import type { Store } from '../core/store/store';
import type { ExportRunSummary } from '../hooks';

/** Options-table rows the export keeps (values are JSON, like wp_options). */
export const OPTION_SCHEDULE = 'altis.analytics.export.schedule';
export const OPTION_LAST_RUN = 'altis.analytics.export.last_run';
export const OPTION_IN_FLIGHT = 'altis.analytics.export.in_flight';

/** When the next scheduled run is due, and for which schedule it was computed. */
export interface ScheduleState {
  /** ms since the epoch. */
  next_run: number;
  frequency: string;
  /** Seconds. */
  interval: number;
}

/** The last run, as `altis.analytics.export.run.complete` receives it. */
export type LastRun = ExportRunSummary;

/** One stored file's part of a batch: lines `from`..`to` (1-based positions in the file, inclusive). */
export interface Segment {
  file: number;
  uuid: string;
  from: number;
  to: number;
}

/** The batch handed to subscribers and not yet acknowledged: a later run hands exactly it over again. */
export interface InFlightBatch {
  id: string;
  segments: Segment[];
}

export const readSchedule = (store: Store) => store.options.get<ScheduleState>(OPTION_SCHEDULE);
export const readLastRun = (store: Store) => store.options.get<LastRun>(OPTION_LAST_RUN);
export const readInFlight = (store: Store) => store.options.get<InFlightBatch>(OPTION_IN_FLIGHT);
