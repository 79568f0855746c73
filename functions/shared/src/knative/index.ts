export {
  assertWatchable,
  eventSources,
  functionManifests,
  groupOf,
  isSensitive,
  knativeResource,
  pluralOf,
  sourceAccount,
  type EventSource,
  type ManifestOptions,
} from './manifests.ts';
export {
  childrenOf,
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
