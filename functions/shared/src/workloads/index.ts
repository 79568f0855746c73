export {
  environmentSources,
  HARDENED,
  MCP_PORT_NAME,
  mcpServerPodSpec,
  normalisePath,
  withRegistry,
  type PodOptions,
  type PodSource,
  type ResolvedProcess,
} from './mcp-server-pod.ts';
export {
  IMAGE_CONFIG_FIELD,
  imageProcess,
  needsImageConfig,
  pinned,
  pulledFrom,
  type ImageConfigRecord,
  type ImageProcess,
} from './image-process.ts';
export {
  IMAGE_TRUST_FACET,
  imagePolicy,
  imageTrust,
  pinnedTo,
  type ImageTrust,
  type ImageVerification,
} from './image-trust.ts';
export {
  childNameOf,
  childNamesOf,
  isWorkloadKind,
  possibleClashes,
  WORKLOAD_KINDS,
  type ChildName,
  type NameClash,
  type WorkloadKind,
} from './child-names.ts';
export { claimOf, hostsHeldElsewhere, hostsOverlap, hostsServed, type HostClaim } from './hosts.ts';
export {
  annotationRefusal,
  commaList,
  DEFAULT_DENIED_ANNOTATIONS,
  DEFAULT_INGRESS_POLICY,
  gatewayIngressRequest,
  ingressPolicyErrors,
  ingressPolicyOf,
  ingressPolicySettings,
  serverIngressRequest,
  type IngressPolicy,
  type IngressRequest,
} from './ingress-policy.ts';
export { ingressRefusal, type IngressRefusal } from './ingress-gate.ts';
