import { E_USER_ERROR, E_USER_NOTICE, E_USER_WARNING, type ExportRunStart, type ExportRunTrigger } from '../hooks';
import type { Host } from '../core/host';
import type { Logger } from '../core/log';
import { packBatches, type PackedBatch } from './batches';
import { HeapBudget } from './heap-budget';
import { NdjsonText } from './ndjson-text';
import { ExportLease } from './lease';
import { errorMessage, exportLog } from './log';
import { hasSubscriber, maxFiles, PROCESS_HOOK } from './settings';
import { OPTION_IN_FLIGHT, OPTION_LAST_RUN, readInFlight, type InFlightBatch, type LastRun } from './state';

export const RUN_START_HOOK = 'altis.analytics.export.run.start';
export const RUN_COMPLETE_HOOK = 'altis.analytics.export.run.complete';

/** Rows read per query while a file is streamed into batches. */
const PAGE_ROWS = 2000;

export interface RunOptions {
  trigger: ExportRunTrigger;
  /** The lease's TTL and renewal period (defaults: 60 s, 15 s); tests shorten them. */
  lease?: { ttlMs?: number; renewMs?: number };
  /** Asked after each acknowledged batch: true ends the run there (the process is stopping). */
  shouldStop?: () => boolean;
  /**
   * The process log of the run's own lines (default `host.log`); `altis.analytics.export.log`
   * gets them whatever this is. `export run` prints the outcome itself and passes the log at
   * debug level.
   */
  log?: Logger;
}

/** What `runExport` did: ran (ok or error), or could not start. */
export type RunOutcome =
  | { status: 'ran'; run: LastRun }
  | { status: 'inactive' }
  | { status: 'busy'; holder: { owner: string; expiresAt: number } | null };

class DeliveryError extends Error {
  constructor(batch: { id: string; events: number }, cause: unknown) {
    super(`a subscriber of ${PROCESS_HOOK} failed on batch ${batch.id} (${batch.events} events): ${errorMessage(cause)}`, { cause });
    this.name = 'DeliveryError';
  }
}

/**
 * Makes the batch's string and hands it to the subscribers. The string is made here, last,
 * and referenced from nowhere else: once the callbacks resolve it is garbage while still
 * young, instead of being promoted to the old generation with a 6–8 MiB batch behind it.
 */
async function handOver(host: Host, batch: PackedBatch, text: NdjsonText): Promise<void> {
  await host.hooks.do_action_async(PROCESS_HOOK, text.of(batch.body), { id: batch.id, files: batch.segments.length, events: batch.events });
}

/**
 * One run of the export now (what `export run` does): requires a subscriber, takes the
 * cross-process lease, delivers, gives the lease back. The scheduler takes the lease itself
 * (it checks the due time under it) and then calls `runWithLease`, the same code path.
 */
export async function runExport(host: Host, options: RunOptions): Promise<RunOutcome> {
  if (!hasSubscriber(host)) return { status: 'inactive' };
  const lease = await ExportLease.acquire(host.store, options.lease);
  if (!lease) return { status: 'busy', holder: await ExportLease.holder(host.store).catch(() => null) };
  try {
    return { status: 'ran', run: await runWithLease(host, lease, options) };
  } finally {
    await lease.release();
  }
}

/**
 * A run, under a lease already held: up to `max.files` pending files, oldest first, handed
 * to the subscribers as NDJSON batches; each file is marked exported once every batch
 * holding its lines has been acknowledged (every callback resolved). A failure — a
 * subscriber throwing or rejecting, the database, a lost lease — stops the run before the
 * next mark: nothing is lost, the unacknowledged events come again on the next run. Never
 * throws: the outcome is logged, recorded as the last run, and returned.
 */
export async function runWithLease(host: Host, lease: ExportLease, options: RunOptions): Promise<LastRun> {
  const { store, hooks } = host;
  const log = options.log ?? host.log;
  const say = (message: string, level: number) => exportLog(host, message, level, log);
  const started = Date.now();
  const done = { files: 0, events: 0, batches: 0 };
  let failure: unknown = null;
  let stoppedEarly = false;
  try {
    const files = await store.files.oldestPending(maxFiles(host));
    const pendingEvents = files.reduce((n, f) => n + f.events, 0);
    await hooks.do_action_async(RUN_START_HOOK, { trigger: options.trigger, files: files.length, events: pendingEvents } satisfies ExportRunStart);
    if (files.length === 0) {
      say(
        'Warning: No analytics data files were found, consider increasing the interval of the data export via the `altis.analytics.export.cron.frequency` filter.',
        E_USER_WARNING,
      );
    } else {
      say(`Success: Found ${pendingEvents} analytics events in ${files.length} files, delivering payload to subscribers.`, E_USER_NOTICE);
      const inFlight = await readInFlight(store);
      const session = await store.db.openReadSession();
      // Two batches' worth: a full collection every other batch at most (~3 ms each). Four
      // left external batch strings piling up to 176–187 MiB RSS on a 1M backlog; two, 155–161.
      const heap = new HeapBudget(2 * host.config.export.batch_bytes);
      const text = new NdjsonText();
      let clean = false;
      try {
        const batches = packBatches({
          files,
          documents: (fileId) => store.files.documents(session, fileId, PAGE_ROWS),
          batchBytes: host.config.export.batch_bytes,
          inFlight,
        });
        for await (const batch of batches) {
          if (batch.events > 0) {
            lease.check();
            // Recorded before the hand-over: if this batch is not acknowledged, the next run forms exactly it again.
            await store.options.set(OPTION_IN_FLIGHT, { id: batch.id, segments: batch.segments } satisfies InFlightBatch);
            try {
              await handOver(host, batch, text);
            } catch (err) {
              throw new DeliveryError(batch, err);
            }
            heap.settle();
            done.batches++;
            done.events += batch.events;
            log.debug(`[export] batch ${batch.id} acknowledged: ${batch.events} events, ${batch.body.length} bytes, ${batch.segments.length} files`);
          }
          if (batch.completes.length > 0) {
            await lease.confirm();
            done.files += await store.files.markExported(batch.completes);
          }
          if (options.shouldStop?.()) {
            stoppedEarly = true;
            break;
          }
        }
        if (!stoppedEarly) await store.options.delete(OPTION_IN_FLIGHT);
        clean = true;
      } finally {
        if (clean) await session.close();
        else session.destroy();
      }
    }
  } catch (err) {
    failure = err;
  }

  const run: LastRun = {
    time: new Date(started).toISOString(),
    trigger: options.trigger,
    ...done,
    result: failure === null ? 'ok' : 'error',
    message: failure === null ? null : errorMessage(failure),
    duration_ms: Date.now() - started,
  };
  const summary = `${run.events} events from ${run.files} files in ${run.batches} batches (${run.duration_ms} ms)`;
  if (failure !== null) {
    say(
      `Error: The analytics data export stopped after delivering ${summary}: ${run.message}. Events not acknowledged stay pending and are delivered on the next run.`,
      E_USER_ERROR,
    );
  } else if (stoppedEarly) {
    say(`Success: Delivered ${summary}; stopped early as the process is stopping, the remaining files stay pending.`, E_USER_NOTICE);
  } else if (run.batches > 0 || run.files > 0) {
    say(`Success: Delivered ${summary}.`, E_USER_NOTICE);
  }
  try {
    await store.options.set(OPTION_LAST_RUN, run);
  } catch (err) {
    host.log.error(`[export] could not record the last run: ${errorMessage(err)}`);
  }
  try {
    await hooks.do_action_async(RUN_COMPLETE_HOOK, run);
  } catch (err) {
    // Not part of the run's outcome (which `export run` prints): on the host's log at its level.
    exportLog(host, `Warning: A callback of ${RUN_COMPLETE_HOOK} failed: ${errorMessage(err)}`, E_USER_WARNING);
  }
  return run;
}
