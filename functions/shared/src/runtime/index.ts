export { readChildrenAhead } from './children.ts';
export { mergeConditions, type ConditionInput } from './conditions.ts';
export { reconcileAll, targetsFor, type DispatchResult, type Targets } from './dispatch.ts';
export { resync, SingleFlight, type ResyncOptions, type ResyncResult } from './resync.ts';
export { Drain } from './drain.ts';
export {
  ReconcileDriver,
  type ChildType,
  type Desired,
  type KindReconciler,
  type Outcome,
  type ReconcileContext,
  type Trigger,
} from './driver.ts';
export { isTerminal, TerminalError, TransientError } from './errors.ts';
export { decodeEvent, MalformedEventError, PING_TYPE, type Poke } from './events.ts';
export { createFunctionApp, type FunctionAppOptions } from './function-app.ts';
export { createHttpServer, type HttpServerOptions } from './http-server.ts';
export {
  HttpError,
  HttpHost,
  jsonBody,
  jsonReply,
  type HttpHandler,
  type HttpReply,
  type HttpRequest,
} from './http/index.ts';
export { createLogger, type Logger } from './logger.ts';
export { createRegistry } from './metrics.ts';
export { Counter, Gauge, Histogram, Registry } from './prom-client-parts.ts';
export {
  childLabels,
  childMetadata,
  childSelector,
  contentHash,
  controllerOf,
  controllerReference,
  isControlledBy,
  labelValue,
  parentLabel,
} from './ownership.ts';
export { parseSpec } from './spec.ts';
export { parseYaml } from './yaml.ts';
export type { StatusFacet } from './status-merge.ts';
export {
  functionSettings,
  readSettings,
  serveFunction,
  serveFunctions,
  type FunctionSettings,
} from './serve.ts';
