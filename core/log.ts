/** The process log: one line per message on stderr, never a secret in it. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** A logger whose lines carry a prefix (a plugin's or a component's name). */
  child(prefix: string): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: { level?: LogLevel; write?: (line: string) => void; prefix?: string } = {}): Logger {
  const threshold = ORDER[options.level ?? (process.env.ANALYTICS_LOG_LEVEL as LogLevel | undefined) ?? 'info'] ?? ORDER.info;
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const prefix = options.prefix ? `[${options.prefix}] ` : '';
  const at = (level: LogLevel) => (message: string) => {
    if (ORDER[level] >= threshold) write(`${new Date().toISOString()} ${level.toUpperCase()} ${prefix}${message}`);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (p: string) => createLogger({ ...options, prefix: options.prefix ? `${options.prefix}:${p}` : p }),
  };
}

/**
 * The same log with every message at debug level: for lines a caller reports otherwise
 * (a one-shot CLI command prints its own outcome), still there with ANALYTICS_LOG_LEVEL=debug.
 */
export function atDebugLevel(log: Logger): Logger {
  const debug = (message: string) => log.debug(message);
  return { debug, info: debug, warn: debug, error: debug, child: (p: string) => atDebugLevel(log.child(p)) };
}

/** A logger that drops everything (tests, quiet CLI commands). */
export const silentLogger: Logger = createLogger({ write: () => undefined });
