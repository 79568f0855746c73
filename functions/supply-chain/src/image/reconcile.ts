/**
 * MCPGServer image trust: the supply chain's part of a server's status (the server function owns the rest and
 * reads this part before rolling an image out): the check of spec.image against spec.verify, and, for a stdio
 * server without spec.command, the image's own Entrypoint and Cmd (image-config.ts). Servers that need neither
 * get nothing; a removed policy removes the record. A revocation list, a key or a pull secret changing re-checks
 * the servers that use it.
 */
import { API_VERSION, requireKind, type ServerSpec } from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectKey } from '@mcpg-functions/shared/kube';
import {
  parseSpec,
  type Desired,
  type KindReconciler,
  type ReconcileContext,
} from '@mcpg-functions/shared/runtime';
import {
  IMAGE_TRUST_FACET,
  imagePolicy,
  needsImageConfig,
  type ImageVerification,
} from '@mcpg-functions/shared/workloads';
import { secondsSince, type SupplyChainMetrics } from '../metrics.ts';
import { startPass } from '../pass.ts';
import type { SupplyChainSettings } from '../settings.ts';
import { readImageConfig } from './image-config.ts';
import { verifyImage, type ImageDeps, type ImageVerdict } from './verify-image.ts';

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

/** Whether the supply chain has anything to say about a server's image. */
const concerns = (spec: ServerSpec) => spec.verify !== undefined || needsImageConfig(spec);

/** Secrets a server's check reads: its cosign key and its pull secrets, in its own namespace. */
function secretsOf(spec: ServerSpec): string[] {
  if (!concerns(spec)) return [];
  return [
    ...(spec.verify?.cosignKeyRef ? [spec.verify.cosignKeyRef.secretName] : []),
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
    .filter((s) => (revocation ? s.spec.verify !== undefined : secretsOf(s.spec).includes(key.name)))
    .map((s) => ({
      apiVersion: API_VERSION,
      kind: KIND.kind,
      namespace: s.metadata.namespace,
      name: s.metadata.name,
    }));
}

async function verified(
  server: { namespace: string; spec: ServerSpec },
  deps: ImageDeps,
  metrics: SupplyChainMetrics,
): Promise<Omit<Desired, 'children'>> {
  const started = process.hrtime.bigint();
  const verdict = await verifyImage(server, deps);
  metrics.recordCheck('image', verdict.verified ? 'Verified' : verdict.reason, secondsSince(started));
  return imageStatus(server.spec, verdict);
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
      const server = { namespace: object.metadata.namespace ?? 'default', spec };
      const deps: ImageDeps = { ...startPass(context, settings), settings };
      const trust = spec.verify ? await verified(server, deps, metrics) : undefined;
      // An image that failed its check is not read further: nothing of it is going to run.
      const readConfig =
        needsImageConfig(spec) && (trust === undefined || trust.status.imageDigest !== undefined);
      const imageConfig = readConfig ? await readImageConfig(server, deps) : undefined;
      return {
        children: [],
        status: { ...trust?.status, ...(imageConfig ? { imageConfig } : {}) },
        conditions: trust?.conditions ?? [],
      };
    },
    dependents: affectedServers,
  };
}
