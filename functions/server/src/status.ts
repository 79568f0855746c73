/**
 * The server's status from what is actually running: Pending until the Deployment exists, Starting until its
 * pods are ready, Running when every replica is available, Degraded when pods crash-loop, a strict Ingress has
 * no load-balancer address, or spec.image is held back because it is not verified or (a stdio server without
 * command) its entrypoint is not known yet (the old pods keep running).
 */
import type { ConditionInput } from '@mcpg-functions/shared/runtime';
import {
  environmentSources,
  type ImageProcess,
  type ImageTrust,
  type IngressRefusal,
} from '@mcpg-functions/shared/workloads';
import { WATCH_LABEL } from '@mcpg-functions/shared/knative';
import type { KubeObject } from '@mcpg-functions/shared/kube';
import type { ServerObject } from './types.ts';
import { serviceUrl } from './resources/names.ts';

export interface Observed {
  deployment: KubeObject | undefined;
  ingress: KubeObject | undefined;
  pods: KubeObject[];
  /** Environment Secrets and ConfigMaps without the opt-in label (`Secret token`). */
  unwatched?: string[];
  /** Why the Ingress the spec asks for is not rendered (the operator's settings, a host served elsewhere). */
  ingressRefused?: IngressRefusal | undefined;
}

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
}

const CRASH_LOOP_RESTARTS = 3;

/** Why spec.image is not rolled out: Ready's reason, what was found, and what it waits for. */
export interface Hold {
  reason: 'ImageNotVerified' | 'ImageEntrypointUnknown';
  message: string;
  until: string;
}

export function rolloutHold(trust: ImageTrust, process: ImageProcess): Hold | undefined {
  if (trust.state === 'blocked')
    return { reason: 'ImageNotVerified', message: trust.message, until: 'the image passes' };
  if (process.state === 'unresolved')
    return { reason: 'ImageEntrypointUnknown', message: process.message, until: 'its entrypoint is known' };
  return undefined;
}

/** Pods whose containers keep restarting: a CrashLoopBackOff wait, or several restarts while not ready. */
export function crashLooping(pods: readonly KubeObject[]): string[] {
  return pods
    .filter((pod) => {
      const statuses = ((pod.status as { containerStatuses?: unknown[] } | undefined)?.containerStatuses ??
        []) as {
        ready?: boolean;
        restartCount?: number;
        state?: { waiting?: { reason?: string } };
      }[];
      return statuses.some(
        (c) =>
          c.state?.waiting?.reason === 'CrashLoopBackOff' ||
          (!c.ready && (c.restartCount ?? 0) >= CRASH_LOOP_RESTARTS),
      );
    })
    .map((pod) => pod.metadata.name);
}

function ingressAddress(ingress: KubeObject | undefined): boolean {
  const lb = (ingress?.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer;
  return (lb?.ingress?.length ?? 0) > 0;
}

export interface ServerStatus {
  status: Record<string, unknown>;
  conditions: ConditionInput[];
}

interface Facts {
  deployment: KubeObject | undefined;
  counts: Required<DeploymentStatus>;
  allAvailable: boolean;
  available: number;
  wanted: number;
  looping: string[];
  ingressReady: boolean;
  strictIngressDown: boolean;
  hold: Hold | undefined;
}

function deploymentCounts(deployment: KubeObject | undefined): Required<DeploymentStatus> {
  const status = (deployment?.status ?? {}) as DeploymentStatus;
  return {
    observedGeneration: status.observedGeneration ?? 0,
    replicas: status.replicas ?? 0,
    readyReplicas: status.readyReplicas ?? 0,
    availableReplicas: status.availableReplicas ?? 0,
    updatedReplicas: status.updatedReplicas ?? 0,
  };
}

function factsOf(server: ServerObject, observed: Observed, hold: Hold | undefined): Facts {
  const { deployment } = observed;
  const counts = deploymentCounts(deployment);
  const wanted = server.spec.replicas;
  const rolledOut =
    deployment !== undefined && counts.observedGeneration >= (deployment.metadata.generation ?? 0);
  const available = counts.availableReplicas;
  const ingressReady = ingressAddress(observed.ingress);
  return {
    deployment,
    counts,
    wanted,
    available,
    allAvailable: rolledOut && available >= wanted && counts.updatedReplicas >= wanted,
    looping: crashLooping(observed.pods),
    ingressReady,
    strictIngressDown: server.spec.ingress?.readiness === 'strict' && !ingressReady,
    hold,
  };
}

function phaseOf(facts: Facts): string {
  if (!facts.deployment) return 'Pending';
  if (facts.looping.length > 0 || facts.strictIngressDown || facts.hold !== undefined) return 'Degraded';
  return facts.allAvailable ? 'Running' : 'Starting';
}

function availableCondition(facts: Facts): ConditionInput {
  const enough = facts.deployment !== undefined && facts.available >= Math.min(1, facts.wanted);
  return {
    type: 'Available',
    status: enough ? 'True' : 'False',
    reason: enough ? 'MinimumReplicasAvailable' : 'NoReplicasAvailable',
    message: `${facts.available}/${facts.wanted} replicas available`,
  };
}

function progressingCondition(facts: Facts): ConditionInput {
  if (!facts.deployment) return { type: 'Progressing', status: 'False', reason: 'DeploymentPending' };
  return facts.allAvailable
    ? { type: 'Progressing', status: 'False', reason: 'RolloutComplete' }
    : { type: 'Progressing', status: 'True', reason: 'RollingOut' };
}

function ingressCondition(facts: Facts, refused: IngressRefusal | undefined): ConditionInput {
  if (refused) return { type: 'IngressReady', status: 'False', ...refused };
  return facts.ingressReady
    ? { type: 'IngressReady', status: 'True', reason: 'AddressAssigned' }
    : {
        type: 'IngressReady',
        status: 'False',
        reason: 'NoLoadBalancerAddress',
        message: 'the Ingress controller has not assigned an address yet',
      };
}

export function serverStatus(server: ServerObject, observed: Observed, hold: Hold | undefined): ServerStatus {
  const { spec, metadata } = server;
  const facts = factsOf(server, observed, hold);
  const phase = phaseOf(facts);
  const conditions = [readyCondition(phase, facts), availableCondition(facts), progressingCondition(facts)];
  if (spec.ingress) conditions.push(ingressCondition(facts, observed.ingressRefused));
  if (observed.unwatched !== undefined && environmentSources(spec).length > 0)
    conditions.push(environmentCondition(observed.unwatched));
  return {
    status: {
      phase,
      replicas: facts.counts.replicas,
      readyReplicas: facts.counts.readyReplicas,
      availableReplicas: facts.available,
      url: serviceUrl(metadata.name, metadata.namespace ?? 'default', spec.port, spec.path),
    },
    conditions,
  };
}

/**
 * Whether rotating the environment rolls the pods at once: only labelled Secrets and ConfigMaps send events (by
 * reference); the others are read again at the next resync. Informational: Ready does not depend on it.
 */
function environmentCondition(unwatched: string[]): ConditionInput {
  if (unwatched.length === 0)
    return {
      type: 'EnvironmentWatched',
      status: 'True',
      reason: 'Labelled',
      message: `every Secret and ConfigMap of the environment carries ${WATCH_LABEL}=true: a change rolls the pods at once`,
    };
  return {
    type: 'EnvironmentWatched',
    status: 'False',
    reason: 'NotLabelled',
    message: `changes to ${unwatched.join(', ')} roll the pods only at the next resync; label them ${WATCH_LABEL}=true to roll them at once`,
  };
}

/** Ready=False while spec.image is held back: what was found, and what keeps running meanwhile. */
function heldBack(facts: Facts, hold: Hold): ConditionInput {
  const meanwhile = facts.deployment
    ? `the running Deployment is kept as it is until ${hold.until}`
    : `no Deployment is created until ${hold.until}`;
  return { type: 'Ready', status: 'False', reason: hold.reason, message: `${hold.message}; ${meanwhile}` };
}

function readyCondition(phase: string, facts: Facts): ConditionInput {
  if (facts.hold) return heldBack(facts, facts.hold);
  switch (phase) {
    case 'Running':
      return {
        type: 'Ready',
        status: 'True',
        reason: 'Running',
        message: `${facts.available}/${facts.wanted} replicas available`,
      };
    case 'Degraded':
      return {
        type: 'Ready',
        status: 'False',
        reason: facts.looping.length > 0 ? 'CrashLoop' : 'IngressNotReady',
        message:
          facts.looping.length > 0
            ? `pods keep restarting: ${facts.looping.join(', ')}; check their logs`
            : 'ingress.readiness is strict and the Ingress has no load-balancer address yet',
      };
    case 'Pending':
      return {
        type: 'Ready',
        status: 'False',
        reason: 'Pending',
        message: 'the Deployment does not exist yet',
      };
    default:
      return {
        type: 'Ready',
        status: 'False',
        reason: 'Starting',
        message: `${facts.available}/${facts.wanted} replicas available`,
      };
  }
}
