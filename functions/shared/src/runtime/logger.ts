import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs, one object per line; `LOG_LEVEL` is read by the caller's config, not here. */
export function createLogger(name: string, level = 'info'): Logger {
  return pino({ name, level, base: { function: name } });
}
