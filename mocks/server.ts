import type { FastifyInstance } from 'fastify';
import { resolveConfig } from './common/config-validate.js';
import { buildMocks, type BuildMocksOptions } from './app.js';

/** A listening mocks server. */
export interface RunningMocks {
  readonly app: FastifyInstance;
  /** Base URL, e.g. `http://127.0.0.1:8080` (IPv6 hosts in brackets). */
  readonly url: string;
  readonly port: number;
  /**
   * Graceful stop: stop accepting connections, let in-flight requests finish (new requests on
   * kept-alive sockets get 503 + `Connection: close`), close Kafka/Redis clients. After
   * `shutdownTimeoutMs` remaining sockets are destroyed. Idempotent.
   */
  close(): Promise<void>;
}

/** Builds the app (see buildMocks) and listens on `config.host`:`config.port` (default 127.0.0.1:8080). */
export async function startMocks(opts: BuildMocksOptions = {}): Promise<RunningMocks> {
  const config = resolveConfig(opts.config);
  const app = await buildMocks({ ...opts, config });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const timer = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
      // Sockets that finish their last request while draining become idle: close those promptly.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      timer.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
        clearInterval(sweep);
      }
    })();
    return closing;
  };
  return { app, url: `http://${host}:${port}`, port, close };
}
