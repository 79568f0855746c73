export * from './common.ts';
export * from './field-errors.ts';
export * from './kinds.ts';
export * from './validate.ts';
export { subjectPattern, type SubjectPattern } from './identity-pattern.ts';
export { replicaCeiling } from './gateway.validation.ts';
export { plaintextTransport, validateClusterSpec } from './cluster.validation.ts';
export {
  namespaceClaimRefusal,
  namespaceOwners,
  reservedNamespaceRefusal,
  TENANT_LABEL,
  TENANT_OPT_IN_LABEL,
  tenantAllows,
  type TenantClaim,
} from './tenant.validation.ts';
export type { GatewaySpec } from './gateway.schema.ts';
export type { PluginSetSpec, ResolvedPluginEntry } from './plugin-set.schema.ts';
export type { RouteSpec } from './route.schema.ts';
export type { ServerSpec } from './server.schema.ts';
export type { InstanceSpec } from './instance.schema.ts';
export type { KeylessIdentitySpec, PluginSpec } from './plugin.schema.ts';
export type { ClusterSpec } from './cluster.schema.ts';
export type { TenantSpec } from './tenant.schema.ts';
export type { RevocationListSpec } from './revocation-list.schema.ts';
export type { PluginMirrorSpec } from './plugin-mirror.schema.ts';
