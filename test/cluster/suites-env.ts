/**
 * Imported first by suites.test.ts, before anything loads test/support/backends: points the
 * suites' MariaDB backend (ANALYTICS_TEST_MYSQL_URL) at the cluster that file brings up, all
 * three nodes listed, so every store, host and CLI those suites open goes through the
 * multi-host pool. The ports are picked here (a random slot, or AH_CLUSTER_SUITES_PORT), not
 * galera.sh's default 4406, so a developer's cluster can stay up while the tests run.
 */
import { clusterPorts } from './support';

export const SUITES_PORTS = { ...clusterPorts('AH_CLUSTER_SUITES_PORT'), fixed: true };
export const SUITES_BASE_PORT = SUITES_PORTS.base;

/** What ANALYTICS_TEST_MYSQL_URL was before, put back once the suite is done. */
export const PREVIOUS_TEST_MYSQL_URL = process.env.ANALYTICS_TEST_MYSQL_URL;

process.env.ANALYTICS_TEST_MYSQL_URL = `mysql://root@${[0, 1, 2].map((i) => `127.0.0.1:${SUITES_BASE_PORT + i}`).join(',')}/analytics`;
