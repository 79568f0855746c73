export { functionManifests, groupOf, pluralOf, type ManifestOptions } from './manifests.ts';
export {
  EVENT_RECORDING,
  MANAGED_LABELS,
  READ,
  WRITE_CHILDREN,
  type FunctionWiring,
  type PolicyRule,
  type WatchedType,
} from './wiring.ts';
