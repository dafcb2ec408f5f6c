import type { CronSchedules } from '../hooks';
import type { Host } from '../core/host';

/** WordPress core's recurrences plus Altis's `ten_minutes`, as `cron_schedules` starts from. */
export const DEFAULT_SCHEDULES: Readonly<CronSchedules> = Object.freeze({
  hourly: { interval: 3600, display: 'Once Hourly' },
  twicedaily: { interval: 43200, display: 'Twice Daily' },
  daily: { interval: 86400, display: 'Once Daily' },
  weekly: { interval: 604800, display: 'Once Weekly' },
  ten_minutes: { interval: 600, display: 'Altis Analytics Schedule (10 mins)' },
});

export const DEFAULT_FREQUENCY = 'ten_minutes';
/** The shortest interval the export is scheduled at, in seconds. */
export const MIN_INTERVAL_SECONDS = 5;

export interface ResolvedFrequency {
  /** The schedule name in use (after the fallback, if any). */
  name: string;
  /** Seconds between runs. */
  interval: number;
  display: string;
  /** Why the configured name or interval was not used as is (logged as E_USER_WARNING by the scheduler). */
  warnings: string[];
}

/** `apply_filters('cron_schedules', defaults)`; a filter that returns a non-object gets the defaults back, as Altis does. */
export function cronSchedules(host: Pick<Host, 'hooks'>): CronSchedules {
  const copy: CronSchedules = {};
  for (const [name, s] of Object.entries(DEFAULT_SCHEDULES)) copy[name] = { ...s };
  const filtered: unknown = host.hooks.apply_filters('cron_schedules', copy);
  return typeof filtered === 'object' && filtered !== null && !Array.isArray(filtered) ? (filtered as CronSchedules) : copy;
}

function intervalOf(schedules: CronSchedules, name: string): number | undefined {
  const s = Object.prototype.hasOwnProperty.call(schedules, name) ? schedules[name] : undefined;
  const interval = Number(s?.interval);
  return s && Number.isFinite(interval) && interval > 0 ? interval : undefined;
}

/**
 * The schedule the export runs at: the `altis.analytics.export.cron.frequency` filter
 * (default: config `export.cron.frequency`) names an entry of `cron_schedules`. An unknown
 * name (or one without a usable interval) falls back to `ten_minutes`; an interval under
 * 5 seconds is raised to 5. Either way a warning says so.
 */
export function resolveFrequency(host: Pick<Host, 'hooks' | 'config'>): ResolvedFrequency {
  const warnings: string[] = [];
  const schedules = cronSchedules(host);
  const wanted: unknown = host.hooks.apply_filters('altis.analytics.export.cron.frequency', host.config.export.cron.frequency);
  let name = typeof wanted === 'string' ? wanted : String(wanted);
  let interval = intervalOf(schedules, name);
  if (interval === undefined) {
    warnings.push(
      `Warning: Unknown cron schedule "${name}" for the analytics export (known: ${Object.keys(schedules).join(', ')}); using "${DEFAULT_FREQUENCY}".`,
    );
    name = DEFAULT_FREQUENCY;
    interval = intervalOf(schedules, name) ?? DEFAULT_SCHEDULES[DEFAULT_FREQUENCY].interval;
  }
  if (interval < MIN_INTERVAL_SECONDS) {
    warnings.push(`Warning: The cron schedule "${name}" has an interval of ${interval} s; the analytics export runs at most every ${MIN_INTERVAL_SECONDS} s.`);
    interval = MIN_INTERVAL_SECONDS;
  }
  const display = String(schedules[name]?.display ?? DEFAULT_SCHEDULES[DEFAULT_FREQUENCY].display);
  return { name, interval, display, warnings };
}
