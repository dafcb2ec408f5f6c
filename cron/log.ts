import { E_USER_ERROR, E_USER_NOTICE, E_USER_WARNING } from '../hooks';
import type { Host } from '../core/host';

export const LOG_HOOK = 'altis.analytics.export.log';

/**
 * Altis's `log()`: the message goes to the process log (PHP's trigger_error) and to the
 * `altis.analytics.export.log` action, `(message, level)` with an E_USER_* level. A log
 * callback that throws is reported on the process log and never breaks the export.
 */
export function exportLog(host: Pick<Host, 'hooks' | 'log'>, message: string, level: number = E_USER_NOTICE): void {
  if (level === E_USER_ERROR) host.log.error(`[export] ${message}`);
  else if (level === E_USER_WARNING) host.log.warn(`[export] ${message}`);
  else host.log.info(`[export] ${message}`);
  try {
    host.hooks.do_action(LOG_HOOK, message, level);
  } catch (err) {
    host.log.error(`[export] a callback of ${LOG_HOOK} threw: ${errorMessage(err)}`);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
