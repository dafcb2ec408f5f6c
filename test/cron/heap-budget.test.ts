import { HeapBudget } from '../../cron/heap-budget';

const MiB = 1024 * 1024;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('HeapBudget', () => {
  test('past its budget, settle() runs a full collection that frees what delivered batches left behind', async () => {
    const budget = new HeapBudget(4 * MiB);
    // A delivered batch: one large string, held until the subscriber lets go of it.
    let delivered: { ndjson: string } | null = { ndjson: Buffer.alloc(8 * MiB, 'a').toString('utf8') };
    const batch = new WeakRef(delivered);
    await nextTurn(); // a WeakRef keeps its target alive until the turn that made it ends
    delivered = null;
    // Nothing allocates between here and the check: only a collection run by settle() can clear the WeakRef.
    budget.settle();
    expect(batch.deref()).toBeUndefined();
  });
});
