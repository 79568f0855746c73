export {
  HttpError,
  jsonReply,
  mediaType,
  type HttpHandler,
  type HttpReply,
  type HttpRequest,
} from './exchange.ts';
export { HttpHost, type HttpHostOptions } from './host.ts';
export { jsonBody } from './json-body.ts';
export { addProbes } from './probes.ts';
