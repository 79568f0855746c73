import type { GatewaySpec } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import { childMetadata } from '@mcpg-functions/shared/runtime';
import type { GatewayObject } from '../types.ts';
import { COMPONENT, names } from './names.ts';

/** The annotation each cloud's workload-identity webhook reads. */
export function workloadIdentityAnnotations(
  identity: GatewaySpec['workloadIdentity'],
): Record<string, string> {
  if (identity?.aws) return { 'eks.amazonaws.com/role-arn': identity.aws.iamRoleArn };
  if (identity?.gcp) return { 'iam.gke.io/gcp-service-account': identity.gcp.googleServiceAccount };
  if (identity?.azure) return { 'azure.workload.identity/client-id': identity.azure.clientId };
  if (identity?.spiffe)
    return {
      'mcpg.dev/spiffe-trust-domain': identity.spiffe.trustDomain,
      'mcpg.dev/spiffe-svid': identity.spiffe.svid,
    };
  return {};
}

export function makeServiceAccount(gateway: GatewayObject): KubeObject {
  const annotations = workloadIdentityAnnotations(gateway.spec.workloadIdentity);
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: childMetadata(gateway, {
      name: names.workload(gateway.metadata.name),
      component: COMPONENT,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    }),
    automountServiceAccountToken: false,
    ...(gateway.spec.imagePullSecrets?.length
      ? { imagePullSecrets: gateway.spec.imagePullSecrets.map((s) => ({ name: s.name })) }
      : {}),
  };
}
