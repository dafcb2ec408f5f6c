import { E_USER_ERROR, E_USER_NOTICE, E_USER_WARNING } from '../hooks';
import type { Host } from '../core/host';
import type { Logger } from '../core/log';

export const LOG_HOOK = 'altis.analytics.export.log';

/**
 * Altis's `log()`: the message goes to the process log (PHP's trigger_error) — `processLog`,
 * by default the host's — and to the `altis.analytics.export.log` action, `(message, level)`
 * with an E_USER_* level. A log callback that throws is reported on the host's log and
 * never breaks the export.
 */
export function exportLog(host: Pick<Host, 'hooks' | 'log'>, message: string, level: number = E_USER_NOTICE, processLog: Logger = host.log): void {
  if (level === E_USER_ERROR) processLog.error(`[export] ${message}`);
  else if (level === E_USER_WARNING) processLog.warn(`[export] ${message}`);
  else processLog.info(`[export] ${message}`);
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
