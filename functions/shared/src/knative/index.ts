export {
  assertWatchable,
  functionManifests,
  groupOf,
  knativeResource,
  pluralOf,
  type ManifestOptions,
} from './manifests.ts';
export {
  EVENT_RECORDING,
  GATEWAY_CONFIG_LABELS,
  MANAGED_LABELS,
  READ,
  WRITE_CHILDREN,
  type FunctionWiring,
  type PolicyRule,
  type WatchedType,
} from './wiring.ts';
