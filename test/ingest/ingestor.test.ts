import { BACKENDS, createTestStore } from '../support/backends';
import { altisEvent, DAY, validated } from '../support/events';
import { storedDocuments } from './helpers';
import type { Store } from '../../core/store/store';

describe.each(BACKENDS)('Ingestor.storeFile on %s', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await createTestStore(backend));
  });
  afterEach(async () => cleanup());

  test('a file larger than one MySQL packet (1,000 events of 20 KB) is stored whole, in line order', async () => {
    const docs = Array.from({ length: 1000 }, (_, i) => altisEvent(DAY + (i % 7), { event_id: `big-${i}`, pad: 'p'.repeat(20_000) }));
    const r = await store.ingest.storeFile(validated(docs), 'import');
    expect(r).toMatchObject({ accepted: 1000, duplicates: 0 });
    const back = await storedDocuments(store);
    expect(back).toHaveLength(1000);
    expect(back.every((d, i) => d === JSON.stringify(docs[i]))).toBe(true);
  });

  test('the field-name registry gets every new field of a day once, whatever the shapes of the events', async () => {
    await store.ingest.storeFile(validated([altisEvent(DAY), altisEvent(DAY + 1, { a: { b: 1 } })]), 'http');
    await store.ingest.storeFile(validated([altisEvent(DAY + 2, { a: { c: [1] } }), altisEvent(DAY + 86_400_000, { z: 1 })]), 'http');
    const { reader, close } = await store.openEventReader();
    try {
      const day = DAY / 86_400_000;
      const first = await reader.fieldNames('1', day, day);
      expect(first).toEqual(expect.arrayContaining(['a.b', 'a.c', 'attributes.url', 'event_type']));
      expect(first).not.toContain('z');
      expect(await reader.fieldNames('1', day + 1, day + 1)).toContain('z');
      const rows = await store.db.all<{ n: number | string }>('SELECT COUNT(*) AS n FROM ah_fields WHERE day = ?', [day]);
      expect(Number(rows[0].n)).toBe(first.length);
    } finally {
      await close();
    }
  });
});
