import type { Host } from '../core/host';

export const PROCESS_HOOK = 'altis.analytics.export.data.process';

/** `altis.analytics.export.cron.enabled` (default: config `export.cron.enabled`): false schedules nothing. */
export function exportEnabled(host: Pick<Host, 'hooks' | 'config'>): boolean {
  return Boolean(host.hooks.apply_filters('altis.analytics.export.cron.enabled', host.config.export.cron.enabled));
}

/** `altis.analytics.export.max.files` (default: config `export.max_files`), at least 1. */
export function maxFiles(host: Pick<Host, 'hooks' | 'config'>): number {
  const n = Math.floor(Number(host.hooks.apply_filters('altis.analytics.export.max.files', host.config.export.max_files)));
  return Number.isFinite(n) && n >= 1 ? n : host.config.export.max_files;
}

/** Whether any callback is subscribed to the data hook: without one the export is inactive. */
export function hasSubscriber(host: Pick<Host, 'hooks'>): boolean {
  return host.hooks.has_action(PROCESS_HOOK);
}

/** How many callbacks are subscribed to the data hook, for `export status`. */
export function subscriberCount(host: Pick<Host, 'hooks'>): number {
  return host.hooks.count_callbacks(PROCESS_HOOK);
}
