import type { Host } from '../../core/host';
import type { ExportBatch, Hooks } from '../../hooks';
import { altisEvent, DAY, validated } from '../support/events';

let n = 0;

/** Stores one file per entry of `sizes` (events per file), in order; returns their event documents (all distinct) per file. */
export async function seedFiles(host: Host, sizes: readonly number[], pad = 0): Promise<string[][]> {
  const files: string[][] = [];
  for (const size of sizes) {
    const docs = Array.from({ length: size }, () => altisEvent(DAY + n++, pad > 0 ? { pad: 'x'.repeat(pad) } : {}));
    await host.store.ingest.storeFile(validated(docs), 'import');
    files.push(docs.map((d) => JSON.stringify(d)));
  }
  return files;
}

export interface Delivery {
  ndjson: string;
  batch: ExportBatch;
}

/** Subscribes a recording callback (both arguments) to the data hook; `fail(n)` makes the next n calls throw. */
export function recordDeliveries(hooks: Hooks) {
  const deliveries: Delivery[] = [];
  let failures = 0;
  const callback = async (ndjson: string, batch: ExportBatch) => {
    if (failures > 0) {
      failures--;
      throw new Error('BI endpoint answered 503');
    }
    deliveries.push({ ndjson, batch });
  };
  hooks.add_action('altis.analytics.export.data.process', callback, 10, 2);
  return {
    deliveries,
    callback,
    fail(n = 1) {
      failures = n;
    },
    /** Every delivered line, in order. */
    lines: () => deliveries.flatMap((d) => d.ndjson.split('\n').filter((l) => l !== '')),
  };
}

/** Collects `altis.analytics.export.log` as [message, level]. */
export function recordLog(hooks: Hooks): [string, number][] {
  const log: [string, number][] = [];
  hooks.add_action('altis.analytics.export.log', (message: string, level: number) => void log.push([message, level]), 10, 2);
  return log;
}
