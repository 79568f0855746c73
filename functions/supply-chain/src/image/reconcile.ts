/**
 * MCPGServer image trust: the supply chain's part of a server's status (the server function owns the rest and
 * reads this part before rolling an image out). Servers without spec.verify get nothing; a removed policy
 * removes the record. A revocation list, a key or a pull secret changing re-checks the servers that use it.
 */
import { API_VERSION, requireKind, type ServerSpec } from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectKey } from '@mcpg-functions/shared/kube';
import {
  parseSpec,
  type Desired,
  type KindReconciler,
  type ReconcileContext,
} from '@mcpg-functions/shared/runtime';
import { IMAGE_TRUST_FACET, imagePolicy, type ImageVerification } from '@mcpg-functions/shared/workloads';
import { secondsSince, type SupplyChainMetrics } from '../metrics.ts';
import { startPass } from '../pass.ts';
import type { SupplyChainSettings } from '../settings.ts';
import { verifyImage, type ImageVerdict } from './verify-image.ts';

const KIND = requireKind('MCPGServer');

type ServerObject = KubeObject & { spec: ServerSpec };

/** The record and condition a verdict leaves; messages hold no times, so a repeated check writes nothing. */
export function imageStatus(spec: ServerSpec, verdict: ImageVerdict): Omit<Desired, 'children'> {
  const record: ImageVerification = {
    image: spec.image,
    policy: imagePolicy(spec.verify ?? {}),
    verified: verdict.verified,
    reason: verdict.verified ? 'Verified' : verdict.reason,
    message: verdict.message,
  };
  return {
    status: { imageVerification: record, ...(verdict.verified ? { imageDigest: verdict.digest } : {}) },
    conditions: [
      {
        type: IMAGE_TRUST_FACET.condition,
        status: verdict.verified ? 'True' : 'False',
        reason: record.reason,
        message: verdict.message,
      },
    ],
  };
}

/** Secrets a server's check reads: its cosign key and its pull secrets, in its own namespace. */
function secretsOf(spec: ServerSpec): string[] {
  if (!spec.verify) return [];
  return [
    ...(spec.verify.cosignKeyRef ? [spec.verify.cosignKeyRef.secretName] : []),
    ...(spec.imagePullSecrets ?? []).map((s) => s.name),
  ];
}

async function affectedServers(key: ObjectKey, context: ReconcileContext): Promise<ObjectKey[]> {
  const revocation = key.kind === 'MCPGRevocationList';
  if (!revocation && !(key.apiVersion === 'v1' && key.kind === 'Secret')) return [];
  const servers = await context.client.list<ServerObject>({
    apiVersion: API_VERSION,
    kind: KIND.kind,
    ...(revocation ? {} : { namespace: key.namespace }),
  });
  return servers
    .filter((s) => s.spec.verify !== undefined && (revocation || secretsOf(s.spec).includes(key.name)))
    .map((s) => ({
      apiVersion: API_VERSION,
      kind: KIND.kind,
      namespace: s.metadata.namespace,
      name: s.metadata.name,
    }));
}

export function serverImageReconciler(
  settings: SupplyChainSettings,
  metrics: SupplyChainMetrics,
): KindReconciler<ServerObject> {
  return {
    kind: KIND,
    childTypes: [],
    statusFacet: IMAGE_TRUST_FACET,
    async reconcile(object, context): Promise<Desired> {
      const spec = parseSpec(KIND, object) as ServerSpec;
      if (!spec.verify) return { children: [], status: {}, conditions: [] };
      const namespace = object.metadata.namespace ?? 'default';
      const started = process.hrtime.bigint();
      const verdict = await verifyImage({ namespace, spec }, { ...startPass(context, settings), settings });
      metrics.recordCheck('image', verdict.verified ? 'Verified' : verdict.reason, secondsSince(started));
      return { children: [], ...imageStatus(spec, verdict) };
    },
    dependents: affectedServers,
  };
}
