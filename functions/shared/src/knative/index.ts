export {
  assertWatchable,
  eventSources,
  functionManifests,
  groupOf,
  isSensitive,
  knativeDerives,
  knativeResource,
  pluralOf,
  sourceAccount,
  type EventSource,
  type ManifestOptions,
} from './manifests.ts';
export { ADAPTER_IMAGE_PLACEHOLDER, adapterConfig } from './direct-adapter.ts';
export {
  childrenOf,
  childWatches,
  EVENT_RECORDING,
  GATEWAY_CONFIG_LABELS,
  READ,
  WATCH_LABEL,
  WATCHED,
  WRITE_CHILDREN,
  type FunctionWiring,
  type PolicyRule,
  type WatchedType,
} from './wiring.ts';
