export { createHttpServer, type HttpServerOptions } from './http-server.ts';
export { createLogger, type Logger } from './logger.ts';
export { createRegistry } from './metrics.ts';
