/**
 * The project's own suites, unchanged, on a 3-node Galera cluster through the multi-host
 * DATABASE_URL (issue 9): the store, ingestion over HTTP, the day pull and the scheduled
 * export. Their MariaDB variant only — the SQLite one has nothing to do with a cluster.
 */
import { PREVIOUS_TEST_MYSQL_URL, SUITES_BASE_PORT, SUITES_PORTS } from './suites-env';
import { BACKENDS, createTestStore, type BackendName } from '../support/backends';
import type { ClusterHandle } from './cluster';
import { bringUpCluster } from './support';

(BACKENDS as BackendName[]).splice(0, BACKENDS.length, 'mysql');

let cluster: ClusterHandle | undefined;
beforeAll(async () => {
  cluster = await bringUpCluster('suites', SUITES_PORTS);
}, 150_000);
afterAll(async () => {
  if (PREVIOUS_TEST_MYSQL_URL === undefined) delete process.env.ANALYTICS_TEST_MYSQL_URL;
  else process.env.ANALYTICS_TEST_MYSQL_URL = PREVIOUS_TEST_MYSQL_URL;
  await cluster?.down();
}, 120_000);

describe('on a 3-node Galera cluster', () => {
  test('the suites below really go through the cluster (multi-host URL, a Galera node, wsrep_sync_wait on)', async () => {
    const { store, cleanup } = await createTestStore('mysql');
    try {
      const [row] = await store.db.all<{ port: number; wait: number }>('SELECT @@port AS port, @@wsrep_sync_wait AS wait');
      expect(row).toEqual({ port: SUITES_BASE_PORT, wait: 1 });
      const size = await store.db.all<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'");
      expect(size[0].Value).toBe('3');
    } finally {
      await cleanup();
    }
  });

  // Required here, not imported: their describe blocks register inside this one, after
  // suites-env.ts pointed their backend at the cluster.
  require('../store/store.test');
  require('../ingest/http.test');
  require('../export/export-day.test');
  require('../export/abort.test');
  require('../cron/export-run.test');
});
