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
