import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Host } from '../core/host';
import { createRestApp } from './app';

export interface RunningServer {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

/** Listens on the configured (or given) port and host; resolves once it accepts connections. */
export function listen(host: Host, port = host.config.port, hostname = host.config.host): Promise<RunningServer> {
  const app = createRestApp(host);
  const server = http.createServer(app);
  // Long day pulls must not be cut by Node's default request timeout.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        server,
        url: `http://${shownHost}:${addr.port}`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
