import { labelValue } from '@mcpg-functions/shared/runtime';
import { childNameOf, normalisePath } from '@mcpg-functions/shared/workloads';

/**
 * Children share the server's name. A Service name must be a DNS label starting with a letter, so names that
 * start with a digit get an `mcpg-` prefix, and names over 63 characters are shortened with a hash.
 */
export function childName(serverName: string): string {
  return childNameOf('MCPGServer', serverName, 'Service');
}

export { MCP_PORT_NAME } from '@mcpg-functions/shared/workloads';

/** Labels that select the server's pods; fixed at creation (a Deployment's selector cannot change). */
export function podSelector(serverName: string): Record<string, string> {
  return {
    'app.kubernetes.io/instance': labelValue(serverName),
    'mcpg.dev/mcpgserver': labelValue(serverName),
  };
}

/** The in-cluster URL of the server's MCP endpoint. */
export function serviceUrl(serverName: string, namespace: string, port: number, path: string): string {
  return `http://${childName(serverName)}.${namespace}.svc.cluster.local:${port}${normalisePath(path)}`;
}
