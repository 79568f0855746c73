/**
 * MCPGInstance: a per-subject pod and service from a server template (or an inline image), deleted when idle
 * longer than idleTTL or older than maxLifetime, and refused when its template already has the most live
 * instances allowed. A template with a verify policy passes the same image-trust gate as its server's pods.
 */
import { API_VERSION, requireKind, type InstanceSpec, type ServerSpec } from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectKey } from '@mcpg-functions/shared/kube';
import {
  parseSpec,
  TerminalError,
  type Desired,
  type KindReconciler,
  type ReconcileContext,
} from '@mcpg-functions/shared/runtime';
import { imageProcess, type PodSource, type ResolvedProcess } from '@mcpg-functions/shared/workloads';
import { gatedSource, imageBlocked } from './image-gate.ts';
import { expiry, lifetimeEnd } from './lifetime.ts';
import { instanceChildName, instanceUrl, makePod, makeService, POD_HASH_ANNOTATION } from './resources.ts';
import type { InstanceObject, InstanceStatus } from './types.ts';

const KIND = requireKind('MCPGInstance');
const SERVER = requireKind('MCPGServer');

export interface InstanceOptions {
  bridgeImage: string;
  /** Most instances with a pod per server template (per namespace). */
  maxPerTemplate: number;
}

const INLINE_DEFAULTS = {
  transport: 'streamable-http' as const,
  path: '/mcp',
  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
};

interface Source {
  pod: PodSource;
  /** A stdio template without command: its image's own process, as the supply chain read it for the server. */
  imageProcess?: ResolvedProcess;
}

/** Where the pod comes from: the inline image, or the server template behind its image-trust gate. */
async function podSource(
  instance: InstanceObject,
  context: ReconcileContext,
): Promise<{ source: Source } | { blocked: { reason: string; message: string } }> {
  const template = instance.spec.serverTemplateRef?.name;
  if (!template)
    return {
      source: { pod: { ...INLINE_DEFAULTS, image: instance.spec.image ?? '', port: instance.spec.port } },
    };
  const server = await context.client.get({
    apiVersion: API_VERSION,
    kind: SERVER.kind,
    namespace: instance.metadata.namespace,
    name: template,
  });
  if (!server) {
    throw new TerminalError(
      'TemplateNotFound',
      `spec.serverTemplateRef names MCPGServer ${template}, which does not exist in ${instance.metadata.namespace ?? ''}; create it or fix the name`,
    );
  }
  const spec = parseSpec(SERVER, server) as ServerSpec;
  const gated = gatedSource({ ...server, spec });
  if ('blocked' in gated) return gated;
  const process = imageProcess(spec, server.status);
  // The server's status changing brings the instance back (it follows its template), so nothing is lost here.
  if (process.state === 'unresolved')
    throw new TerminalError('ImageEntrypointUnknown', `MCPGServer ${template}: ${process.message}`);
  return {
    source: { pod: gated.source, ...(process.state === 'resolved' ? { imageProcess: process } : {}) },
  };
}

async function liveInstancesOf(instance: InstanceObject, context: ReconcileContext): Promise<number> {
  const template = instance.spec.serverTemplateRef?.name;
  if (!template) return 0;
  const all = await context.client.list<InstanceObject>({
    apiVersion: API_VERSION,
    kind: KIND.kind,
    namespace: instance.metadata.namespace,
  });
  return all.filter(
    (other) =>
      other.spec.serverTemplateRef?.name === template &&
      other.status?.podName &&
      other.metadata.name !== instance.metadata.name,
  ).length;
}

function podReady(pod: KubeObject | undefined): boolean {
  const conditions = (pod?.status as { conditions?: { type: string; status: string }[] } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function phaseOf(pod: KubeObject | undefined): 'Pending' | 'Starting' | 'Running' | 'Failed' {
  if (!pod) return 'Pending';
  if ((pod.status as { phase?: string } | undefined)?.phase === 'Failed') return 'Failed';
  return podReady(pod) ? 'Running' : 'Starting';
}

const READY_BY_PHASE = {
  Pending: { status: 'False', reason: 'PodPending' },
  Starting: { status: 'False', reason: 'PodStarting' },
  Running: { status: 'True', reason: 'PodReady' },
  Failed: { status: 'False', reason: 'PodFailed' },
} as const;

function statusOf(
  instance: InstanceObject,
  pod: KubeObject | undefined,
  url: string,
  now: Date,
): Omit<Desired, 'children'> {
  const phase = phaseOf(pod);
  const startedAt = instance.status?.startedAt ?? (phase === 'Running' ? now.toISOString() : undefined);
  const status: InstanceStatus = { phase, serviceURL: url };
  if (pod) status.podName = pod.metadata.name;
  if (startedAt) status.startedAt = startedAt;
  status.expiresAt = lifetimeEnd({
    now,
    createdAt: instance.metadata.creationTimestamp,
    startedAt,
    maxLifetime: instance.spec.maxLifetime,
  }).toISOString();
  const message = `pod ${instanceChildName(instance.metadata.name)} is ${phase.toLowerCase()}`;
  return { status: { ...status }, conditions: [{ type: 'Ready', ...READY_BY_PHASE[phase], message }] };
}

function capacityReached(instance: InstanceObject, limit: number): Desired {
  const template = instance.spec.serverTemplateRef?.name ?? '';
  const message = `MCPGServer ${template} already has ${limit} live instances, the most allowed; delete idle ones or raise the limit`;
  return {
    children: [],
    status: { phase: 'Pending' },
    conditions: [{ type: 'Ready', status: 'False', reason: 'CapacityReached', message }],
  };
}

function expiryOf(instance: InstanceObject, now: Date) {
  return expiry({
    now,
    createdAt: instance.metadata.creationTimestamp,
    startedAt: instance.status?.startedAt,
    lastUsedAt: instance.status?.lastUsedAt,
    idleTTL: instance.spec.idleTTL,
    maxLifetime: instance.spec.maxLifetime,
  });
}

/** The children for a pass: a pod whose spec no longer matches is deleted now and comes back on the next pass. */
async function children(
  instance: InstanceObject,
  inputs: { source: Source; live: KubeObject | undefined; bridgeImage: string },
  context: ReconcileContext,
) {
  const { source, live, bridgeImage } = inputs;
  const pod = makePod(instance, source.pod, bridgeImage, source.imageProcess);
  const service = makeService(instance, source.pod.port);
  const stale =
    live !== undefined &&
    live.metadata.annotations?.[POD_HASH_ANNOTATION] !== pod.metadata.annotations?.[POD_HASH_ANNOTATION];
  if (stale)
    await context.client.delete({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: instance.metadata.namespace,
      name: live.metadata.name,
    });
  return { list: stale ? [service] : [pod, service], livePod: stale ? undefined : live };
}

export function instanceReconciler(options: InstanceOptions): KindReconciler<InstanceObject> {
  return {
    kind: KIND,
    childTypes: [
      { apiVersion: 'v1', kind: 'Pod' },
      { apiVersion: 'v1', kind: 'Service' },
    ],
    foreignStatusFields: ['lastUsedAt'],
    async reconcile(object, context): Promise<Desired> {
      const instance: InstanceObject = { ...object, spec: parseSpec(KIND, object) as InstanceSpec };
      const expired = expiryOf(instance, context.now);
      if (expired) return { children: [], status: {}, conditions: [], deleteSelf: expired };
      const gated = await podSource(instance, context);
      if ('blocked' in gated) return imageBlocked(instance.spec.serverTemplateRef?.name ?? '', gated.blocked);
      const { source } = gated;
      const podKey = {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: instance.metadata.namespace,
        name: instanceChildName(instance.metadata.name),
      };
      const live = await context.client.get(podKey);
      if (!live && (await liveInstancesOf(instance, context)) >= options.maxPerTemplate) {
        return capacityReached(instance, options.maxPerTemplate);
      }
      const { list, livePod } = await children(
        instance,
        { source, live, bridgeImage: options.bridgeImage },
        context,
      );
      return {
        children: list,
        ...statusOf(instance, livePod, instanceUrl(instance, source.pod.port, source.pod.path), context.now),
      };
    },
    /** A changed server template re-reconciles the instances made from it. */
    async dependents(key, context): Promise<ObjectKey[]> {
      if (key.kind !== SERVER.kind || !key.apiVersion.startsWith('mcpg.dev/')) return [];
      const instances = await context.client.list<InstanceObject>({
        apiVersion: API_VERSION,
        kind: KIND.kind,
        namespace: key.namespace,
      });
      return instances
        .filter((i) => i.spec.serverTemplateRef?.name === key.name)
        .map((i) => ({
          apiVersion: API_VERSION,
          kind: KIND.kind,
          namespace: i.metadata.namespace,
          name: i.metadata.name,
        }));
    },
  };
}
