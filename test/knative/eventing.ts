/**
 * Knative Eventing's sources on the bed: the controller (ApiServerSource and PingSource reconcilers), its webhook,
 * the PingSource multi-tenant adapter, and the ApiServerSource adapter image the controller starts per source.
 * The objects are those of the module's config/core (what a release's eventing-core.yaml holds), minus the parts
 * the project has no use for, patched for the bed in code below; nothing of upstream's YAML is kept here.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { TestBedError } from '../cluster/errors.ts';
import { waitFor } from '../cluster/wait.ts';
import type { StackBed, StackPart } from './bed.ts';
import { pushStackImage } from './stack-image.ts';
import {
  applyInOrder,
  buildStackPrograms,
  dryRunCreate,
  moduleSource,
  pinnedVersion,
  podContainers,
  readObjects,
  scaleDownRequests,
  waitForDeployments,
  type KubeObject,
} from './upstream.ts';

const MODULE = 'knative.dev/eventing';
export const EVENTING_NAMESPACE = 'knative-eventing';
/** Its commands the bed runs, each pushed as `knative/eventing/<command>`. */
const COMMANDS = ['controller', 'webhook', 'mtping', 'apiserver_receive_adapter'] as const;

/**
 * config/core files left out: job sinks and request-reply are workloads of their own the project does not use;
 * the webhook's autoscaler and disruption budget assume several nodes and a metrics server. Brokers and channels
 * (config/brokers, config/channels) are not part of config/core: functions take events straight from sources.
 */
const LEFT_OUT = [/job-sink/, /request-reply/, /^deployments\/webhook-hpa\.yaml$/];

type EnvVar = { name: string; value?: string; valueFrom?: { configMapKeyRef?: unknown } };

/** The files of config/core a release installs, relative to it, in name order. */
export function coreFiles(coreDir: string): string[] {
  return readdirSync(coreDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml') && !LEFT_OUT.some((pattern) => pattern.test(file)))
    .sort();
}

/** The controller's environment, without what names programs the bed does not build. */
function controllerEnv(env: EnvVar[]): EnvVar[] {
  return (
    env
      // Images of IntegrationSources/Sinks and EventTransforms come from ConfigMaps the release process generates
      // (they are not in config/); the project uses neither, and their reconcilers read them only when one exists.
      .filter((variable) => !variable.valueFrom?.configMapKeyRef)
      // The auth proxy fronts only OIDC-protected IntegrationSinks and EventTransforms: not built. The controller
      // needs the variable to exist; empty is accepted.
      .map((variable) => (variable.name === 'AUTH_PROXY_IMAGE' ? { name: variable.name, value: '' } : variable))
  );
}

/** Replaces every `ko://<import path>` string (images, and env values naming images) with the pushed reference. */
export function resolveKoImages(object: unknown, images: Readonly<Record<string, string>>): unknown {
  if (typeof object === 'string' && object.startsWith('ko://')) {
    const image = images[object.slice('ko://'.length)];
    if (!image) throw new TestBedError(`no image was built for ${object}`, { fix: 'add its command to COMMANDS' });
    return image;
  }
  if (Array.isArray(object)) return object.map((item) => resolveKoImages(item, images));
  if (typeof object !== 'object' || object === null) return object;
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, resolveKoImages(value, images)]));
}

/** Upstream's objects with the bed's changes; `images` maps a command's import path to its pushed reference. */
export function eventingManifests(objects: KubeObject[], images: Readonly<Record<string, string>>): KubeObject[] {
  return objects.map((original) => {
    const object = structuredClone(original);
    if (object.kind === 'Deployment') {
      // The controller scales the PingSource adapter to one replica once a PingSource exists; applying upstream's
      // `replicas: 0` again on a re-install would stop every ping until the controller next looks.
      if (object.metadata.name === 'pingsource-mt-adapter') delete (object.spec as { replicas?: number }).replicas;
      for (const container of podContainers(object)) {
        // One node's two CPUs are shared by the whole stack and the functions; upstream asks 100-125m each.
        scaleDownRequests(container);
        if (object.metadata.name === 'eventing-controller')
          container.env = controllerEnv((container.env ?? []) as EnvVar[]);
      }
    }
    return resolveKoImages(object, images) as KubeObject;
  });
}

async function pushImages(bed: StackBed, version: string): Promise<Record<string, string>> {
  const bin = await buildStackPrograms('eventing', bed.say);
  const images: Record<string, string> = {};
  for (const command of COMMANDS) {
    images[`${MODULE}/cmd/${command}`] = await pushStackImage(bed.push, {
      repository: `knative/eventing/${command.replaceAll('_', '-')}`,
      version: `v${version}`,
      binary: path.join(bin, command),
      name: command,
      source: 'https://github.com/knative/eventing',
      license: 'Apache-2.0',
    });
  }
  return images;
}

/**
 * The webhook answers once the API server gets its verdict on an object only it refuses (a source mode the CRD
 * schema lets through as any string); until then the call fails or times out instead.
 */
async function webhookAnswers(bed: StackBed): Promise<true | undefined> {
  const probe = {
    apiVersion: 'sources.knative.dev/v1',
    kind: 'ApiServerSource',
    metadata: { name: 'webhook-probe', namespace: EVENTING_NAMESPACE },
    spec: { mode: 'NotAMode', resources: [{ apiVersion: 'v1', kind: 'Namespace' }], sink: { uri: 'http://probe.invalid' } },
  };
  const refusal = await dryRunCreate(bed, probe).then(
    () => '',
    (error: unknown) => (error as { stderr?: string }).stderr ?? '',
  );
  return refusal.includes('validation.webhook.eventing.knative.dev') && refusal.includes('spec.mode') ? true : undefined;
}

export const eventing: StackPart = {
  name: 'eventing',
  async install(bed) {
    const version = pinnedVersion('KNATIVE_EVENTING_VERSION');
    const coreDir = path.join(await moduleSource(MODULE, `v${version}`), 'config', 'core');
    const images = await pushImages(bed, version);
    const objects = eventingManifests(readObjects(coreDir, coreFiles(coreDir)), images);
    bed.say(`eventing: applying ${objects.length} objects of ${MODULE}@v${version} config/core`);
    await applyInOrder(bed, objects);
    await waitForDeployments(bed, EVENTING_NAMESPACE);
    await waitFor(() => webhookAnswers(bed), {
      what: "Knative Eventing's webhook to answer the API server",
      timeoutMs: 120_000,
      intervalMs: 1_000,
    });
  },
};
