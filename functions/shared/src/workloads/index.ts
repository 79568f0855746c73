export {
  environmentSources,
  HARDENED,
  MCP_PORT_NAME,
  mcpServerPodSpec,
  normalisePath,
  withRegistry,
  type PodOptions,
  type PodSource,
} from './mcp-server-pod.ts';
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
