import v8 from 'node:v8';
import vm from 'node:vm';

type CollectGarbage = () => void;

let collector: CollectGarbage | undefined;

/**
 * V8's full collection, as `node --expose-gc` would offer it. The flag only makes new
 * contexts carry a `gc` function (Jest's --logHeapUsage takes it the same way); nothing
 * else in the process changes.
 */
function collectGarbage(): CollectGarbage {
  if (!collector) {
    const exposed = (globalThis as { gc?: CollectGarbage }).gc;
    if (exposed) collector = exposed;
    else {
      v8.setFlagsFromString('--expose-gc');
      collector = vm.runInNewContext('gc') as CollectGarbage;
    }
  }
  return collector;
}

function heapInUse(): number {
  const h = v8.getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

/**
 * Keeps an export run's memory within a budget of its working size, whatever the backlog.
 * Each batch is one string of up to twice `batch_bytes` (UTF-16); a subscriber that works
 * on it for a while (parsing every line) lets young collections promote it, and V8 then
 * lets the old generation grow to several times the live set before a full collection:
 * 1,000,000 events through a parsing subscriber peaked at 223 MiB RSS, and the process
 * kept that memory. After each acknowledged batch, `settle` looks at the heap's growth
 * since the last collection (~5 µs) and, past the budget, runs a full collection (~3 ms
 * with the export's small live set): the same run peaked at ~150 MiB. A collection that
 * frees little means the growth is live data, not batches: the budget then doubles, so a
 * process with a large heap of its own is not collected over and over.
 */
export class HeapBudget {
  private budget: number;
  private base = heapInUse();

  constructor(private readonly bytes: number) {
    this.budget = bytes;
  }

  settle(): void {
    const used = heapInUse();
    if (used - this.base < this.budget) return;
    collectGarbage()();
    const after = heapInUse();
    this.budget = used - after < this.budget / 2 ? this.budget * 2 : this.bytes;
    this.base = after;
  }
}
