import cron from 'node-cron';
import { E_USER_ERROR, E_USER_NOTICE, E_USER_WARNING } from '../hooks';
import type { Host } from '../core/host';
import type { Logger } from '../core/log';
import type { Store } from '../core/store/store';
import { runWithLease } from './export-run';
import { ExportLease } from './lease';
import { errorMessage, exportLog } from './log';
import { resolveFrequency, type ResolvedFrequency } from './schedules';
import { exportEnabled, hasSubscriber, PROCESS_HOOK } from './settings';
import { OPTION_SCHEDULE, readSchedule, type ScheduleState } from './state';

export interface RunningScheduler {
  stop(): Promise<void>;
}

/**
 * node-cron fires this every second; whether a run is due is decided here, from the
 * next-due time kept in the options table. Cron expressions cannot say "every 420 s" (or
 * any interval that does not divide a minute, hour or day), nor carry a phase across a
 * restart; a one-second tick with the due time in the database gives any interval from
 * 5 s up, and WordPress cron's semantics across restarts and processes: a run missed
 * while the host was down runs once at start (not once per missed slot), and a restart
 * before the due time neither runs early nor pushes the run back.
 */
export const TICK_EXPRESSION = '* * * * * *';

/** How long a process waits before asking again when another one holds the lease. */
const BUSY_RETRY_MS = 10_000;
/** How long after a failed tick (database unreachable) before trying again. */
const ERROR_RETRY_MS = 30_000;

/** The first slot after `now` in the phase of `due` (WordPress's wp_reschedule_event). */
export function nextRunAfter(due: number, intervalMs: number, now: number): number {
  if (due > now) return due;
  return due + (Math.floor((now - due) / intervalMs) + 1) * intervalMs;
}

/**
 * Creates the schedule row on first start (due at once, as Altis's wp_schedule_event(time())),
 * and moves it when the frequency changed: the next run comes no later than one new interval.
 */
export async function reconcileSchedule(store: Store, frequency: ResolvedFrequency, now = Date.now()): Promise<ScheduleState> {
  // On a whole second: node-cron ticks on whole seconds, so the first run is on time and its phase holds.
  const start = Math.ceil(now / 1000) * 1000;
  const fresh: ScheduleState = { next_run: start, frequency: frequency.name, interval: frequency.interval };
  const state = (await readSchedule(store)) ?? (await store.options.add(OPTION_SCHEDULE, fresh));
  if (state.frequency === frequency.name && state.interval === frequency.interval) return state;
  const moved: ScheduleState = { ...fresh, next_run: Math.min(Number(state.next_run) || start, start + frequency.interval * 1000) };
  await store.options.set(OPTION_SCHEDULE, moved);
  return moved;
}

/** node-cron's own messages: with a one-second tick, "overlap blocked" and "missed second" are expected, not news. */
function cronLogger(log: Logger) {
  return {
    info: (m: string) => log.debug(`[node-cron] ${m}`),
    warn: (m: string) => log.debug(`[node-cron] ${m}`),
    debug: (m: string | Error) => log.debug(`[node-cron] ${errorMessage(m)}`),
    error: (m: string | Error, err?: Error) => log.error(`[node-cron] ${errorMessage(m)}${err ? `: ${errorMessage(err)}` : ''}`),
  };
}

/**
 * Starts the scheduled export for the host. Disabled (`altis.analytics.export.cron.enabled`
 * false): nothing is scheduled. Otherwise a node-cron task (noOverlap: one run at a time in
 * this process) checks each second; it runs when a callback is subscribed to the data hook
 * and the schedule is due, under the cross-process lease (one run at a time across every
 * process on the database). stop() ends the run in progress after its current batch.
 */
export async function startScheduler(host: Host): Promise<RunningScheduler> {
  if (!exportEnabled(host)) {
    exportLog(host, 'The analytics data export is disabled (altis.analytics.export.cron.enabled is false): nothing is scheduled.', E_USER_NOTICE);
    return { stop: async () => undefined };
  }
  const frequency = resolveFrequency(host);
  for (const w of frequency.warnings) exportLog(host, w, E_USER_WARNING);
  const intervalMs = frequency.interval * 1000;
  const { store } = host;
  let cachedDue = (await reconcileSchedule(store, frequency)).next_run;
  let active: boolean | null = null;
  let stopping = false;
  let current: Promise<void> = Promise.resolve();

  const tick = async (): Promise<void> => {
    if (stopping) return;
    if (!hasSubscriber(host)) {
      if (active !== false) {
        exportLog(host, `The analytics data export is inactive: no callback is subscribed to ${PROCESS_HOOK}. It starts as soon as one is.`, E_USER_NOTICE);
        active = false;
      }
      return;
    }
    if (active !== true) {
      if (active === false) exportLog(host, `The analytics data export is active: a callback subscribed to ${PROCESS_HOOK}.`, E_USER_NOTICE);
      active = true;
    }
    if (Date.now() < cachedDue) return;
    try {
      const seen = (await readSchedule(store))?.next_run ?? Date.now();
      if (seen > Date.now()) {
        cachedDue = seen;
        return;
      }
      const lease = await ExportLease.acquire(store);
      if (!lease) {
        cachedDue = Date.now() + Math.min(intervalMs, BUSY_RETRY_MS);
        return;
      }
      try {
        // Again under the lease: another process may have run it between the look and the lease.
        const due = (await readSchedule(store))?.next_run ?? Date.now();
        const now = Date.now();
        if (due > now || stopping) {
          cachedDue = due;
          return;
        }
        cachedDue = nextRunAfter(due, intervalMs, now);
        await store.options.set(OPTION_SCHEDULE, { next_run: cachedDue, frequency: frequency.name, interval: frequency.interval } satisfies ScheduleState);
        await runWithLease(host, lease, { trigger: 'schedule', shouldStop: () => stopping });
      } finally {
        await lease.release();
      }
    } catch (err) {
      exportLog(host, `Error: The scheduled analytics data export could not start: ${errorMessage(err)}`, E_USER_ERROR);
      cachedDue = Date.now() + Math.min(intervalMs, ERROR_RETRY_MS);
    }
  };

  const task = cron.schedule(
    TICK_EXPRESSION,
    () => {
      current = tick();
      return current;
    },
    { name: 'altis.analytics.export', noOverlap: true, logger: cronLogger(host.log) },
  );
  host.log.info(`[export] scheduled: "${frequency.name}" (${frequency.display}), every ${frequency.interval} s`);

  return {
    stop: async () => {
      if (stopping) return;
      stopping = true;
      await task.destroy();
      await current;
    },
  };
}
