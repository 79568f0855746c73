/** An instance's Pod and Service, from the instance and the pod source (its server template or inline image). */
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childMetadata, contentHash, labelValue } from '@mcpg-functions/shared/runtime';
import {
  childNameOf,
  MCP_PORT_NAME,
  mcpServerPodSpec,
  normalisePath,
  type PodSource,
  type ResolvedProcess,
} from '@mcpg-functions/shared/workloads';
import type { InstanceObject } from './types.ts';

export const POD_HASH_ANNOTATION = 'mcpg.dev/pod-hash';

/** Pod and Service name: `mcpgi-` and the instance name, shortened with a hash to a DNS label. */
export function instanceChildName(instanceName: string): string {
  return childNameOf('MCPGInstance', instanceName, 'Pod');
}

export function instanceSelector(instance: InstanceObject): Record<string, string> {
  return { 'mcpg.dev/mcpginstance': labelValue(instance.metadata.name) };
}

/** `imageProcess`: a stdio template without command runs its image's own process (see image-process.ts). */
export function makePod(
  instance: InstanceObject,
  source: PodSource,
  bridgeImage: string,
  imageProcess?: ResolvedProcess,
): KubeObject {
  const spec = mcpServerPodSpec(source, {
    bridgeImage,
    imageProcess,
    extraSecrets: instance.spec.secretName ? [instance.spec.secretName] : [],
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: childMetadata(instance, {
      name: instanceChildName(instance.metadata.name),
      component: 'instance',
      labels: { 'mcpg.dev/isolation': instance.spec.isolation },
      // A pod's spec cannot change in place: the hash tells when it has to be replaced.
      annotations: {
        [POD_HASH_ANNOTATION]: contentHash(spec),
        'mcpg.dev/subject': labelValue(instance.spec.subjectKey),
      },
    }),
    spec: { ...spec, restartPolicy: 'Always' },
  };
}

export function makeService(instance: InstanceObject, port: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(instance, {
      name: instanceChildName(instance.metadata.name),
      component: 'instance',
    }),
    spec: {
      type: 'ClusterIP',
      selector: instanceSelector(instance),
      ports: [{ name: MCP_PORT_NAME, port, targetPort: MCP_PORT_NAME, protocol: 'TCP' }],
    },
  };
}

export function instanceUrl(instance: InstanceObject, port: number, path: string): string {
  return `http://${instanceChildName(instance.metadata.name)}.${instance.metadata.namespace ?? 'default'}.svc.cluster.local:${port}${normalisePath(path)}`;
}
