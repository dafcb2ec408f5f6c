import type { Host } from '../core/host';
import { resolveFrequency } from './schedules';
import { exportEnabled, subscriberCount } from './settings';
import { readLastRun, readSchedule, type LastRun } from './state';

/** `export status --format json`: exactly these keys. */
export interface ExportStatus {
  enabled: boolean;
  /** Enabled and at least one callback on altis.analytics.export.data.process. */
  active: boolean;
  frequency: string;
  /** Seconds. */
  interval: number;
  subscribers: number;
  pending_files: number;
  pending_events: number;
  /** time (ISO), files, events, result, plus trigger, batches, message (the failure) and duration_ms. */
  last_run: LastRun | null;
  /** ISO 8601; null when nothing is scheduled (disabled, inactive, or no server has started yet). */
  next_run: string | null;
}

export async function exportStatus(host: Host): Promise<ExportStatus> {
  const enabled = exportEnabled(host);
  const frequency = resolveFrequency(host);
  const subscribers = subscriberCount(host);
  const active = enabled && subscribers > 0;
  const [pending, lastRun, schedule] = await Promise.all([host.store.files.pendingTotals(), readLastRun(host.store), readSchedule(host.store)]);
  return {
    enabled,
    active,
    frequency: frequency.name,
    interval: frequency.interval,
    subscribers,
    pending_files: pending.files,
    pending_events: pending.events,
    last_run: lastRun ?? null,
    next_run: active && schedule ? new Date(schedule.next_run).toISOString() : null,
  };
}
