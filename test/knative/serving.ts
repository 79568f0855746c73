/**
 * Knative Serving on the bed: its five programs built from the Go module proxy and pushed as images, and the
 * objects its release installs, read from the module's `config/core/` (plus the networking and caching CRDs a
 * release bundles from the modules Serving depends on), patched for a one-node bed on loopback.
 */
import type { StackBed, StackPart } from './bed.ts';
import { TRAEFIK_INGRESS_CLASS } from './networking.ts';
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
  toYamlStream,
  waitForDeployments,
  type KubeObject,
} from './upstream.ts';
import { waitFor } from '../cluster/wait.ts';

export const SERVING_NAMESPACE = 'knative-serving';
/** Routes are named `<service>.<namespace>.<domain>`; nothing resolves it, requests carry it as their Host. */
export const SERVING_DOMAIN = 'knative.test';

const PROGRAMS = ['controller', 'webhook', 'activator', 'autoscaler', 'queue'] as const;
const KO_PREFIX = 'ko://knative.dev/serving/cmd/';
/** The API groups Serving's defaulting and validation webhooks admit. */
const SERVING_GROUPS = ['serving.knative.dev', 'autoscaling.internal.knative.dev', 'networking.internal.knative.dev'];

/**
 * Serving's `config/core/` links its networking and caching CRDs (and config-network) from the modules it
 * depends on; module zips leave links out, so they are read from those modules, at the versions the build used.
 */
async function upstreamObjects(): Promise<KubeObject[]> {
  const serving = await moduleSource('knative.dev/serving', `v${pinnedVersion('KNATIVE_SERVING_VERSION')}`);
  const networking = await moduleSource('knative.dev/networking', pinnedVersion('KNATIVE_NETWORKING_VERSION'));
  const caching = await moduleSource('knative.dev/caching', pinnedVersion('KNATIVE_CACHING_VERSION'));
  return [
    ...readObjects(networking, [
      'config/certificate.yaml',
      'config/domain-claim.yaml',
      'config/ingress.yaml',
      'config/serverlessservice.yaml',
      'config/config-network.yaml',
    ]),
    ...readObjects(caching, ['config/image.yaml']),
    ...readObjects(serving, ['config/core']),
  ];
}

/** The bed's changes to upstream's objects; `images` maps each program to the digest reference pushed. */
export function patchServing(objects: KubeObject[], images: Record<string, string>, registry: string): KubeObject[] {
  const replaceImage = (value: string): string => {
    if (!value.startsWith(KO_PREFIX)) return value;
    const image = images[value.slice(KO_PREFIX.length)];
    if (!image) throw new Error(`no image was built for ${value}`);
    return image;
  };
  return (
    objects
      // The HorizontalPodAutoscalers scale on CPU metrics, which no metrics API serves on the bed: one replica
      // of each is what a one-node bed wants anyway.
      .filter((object) => object.kind !== 'HorizontalPodAutoscaler')
      .map((object) => {
        for (const container of podContainers(object)) {
          container.image = replaceImage(String(container.image));
          scaleDownRequests(container);
        }
        if (object.kind === 'Image') {
          const spec = object.spec as { image: string };
          spec.image = replaceImage(spec.image);
        }
        if (object.kind !== 'ConfigMap') return object;
        const data = (object.data ?? {}) as Record<string, string>;
        switch (object.metadata.name) {
          case 'config-deployment':
            data['queue-sidecar-image'] = replaceImage(data['queue-sidecar-image'] ?? '');
            // The controller resolves image tags to digests by asking the registry; the bed's registry listens
            // on the host's loopback, which pods cannot reach. Images pushed there are used as named.
            data['registries-skipping-tag-resolving'] = registry;
            // Every revision pod carries a queue-proxy; upstream's 25m request each would crowd the 2-CPU node.
            data['queue-sidecar-cpu-request'] = '5m';
            data['queue-sidecar-memory-request'] = '20Mi';
            break;
          case 'config-domain':
            data[SERVING_DOMAIN] = '';
            break;
          case 'config-network':
            data['ingress-class'] = TRAEFIK_INGRESS_CLASS;
            break;
        }
        object.data = data;
        return object;
      })
  );
}

async function pushPrograms(bed: StackBed, bin: string): Promise<Record<string, string>> {
  const version = `v${pinnedVersion('KNATIVE_SERVING_VERSION')}`;
  const images: Record<string, string> = {};
  for (const program of PROGRAMS) {
    images[program] = await pushStackImage(bed.push, {
      repository: `knative/serving/${program}`,
      version,
      binary: `${bin}/${program}`,
      name: program,
      source: 'https://github.com/knative/serving',
      license: 'Apache-2.0',
    });
  }
  return images;
}

/** Serving's webhook answers once a dry-run create of a Service passes its defaulting and validation. */
async function waitForWebhook(bed: StackBed): Promise<void> {
  const probe = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'webhook-probe', namespace: 'default' },
    spec: { template: { spec: { containers: [{ image: `${bed.push.registry}/probe@sha256:${'0'.repeat(64)}` }] } } },
  };
  await waitFor(
    async () => {
      await dryRunCreate(bed, probe);
      return true;
    },
    { what: "Knative Serving's webhook to admit a Service", timeoutMs: 120_000, intervalMs: 2000 },
  );
}

export const serving: StackPart = {
  name: 'serving',
  install: async (bed) => {
    const bin = await buildStackPrograms('serving', bed.say);
    const images = await pushPrograms(bed, bin);
    const objects = patchServing(await upstreamObjects(), images, bed.push.registry);
    // Serving's own kinds (the system-internal Certificate) pass through its webhook, so they wait for it.
    const admittedByServing = (object: KubeObject) =>
      object.kind !== 'CustomResourceDefinition' && SERVING_GROUPS.includes(object.apiVersion.split('/')[0] ?? '');
    await applyInOrder(
      bed,
      objects.filter((object) => !admittedByServing(object)),
    );
    await waitForDeployments(bed, SERVING_NAMESPACE);
    await waitForWebhook(bed);
    await bed.apply(toYamlStream(objects.filter(admittedByServing)));
  },
};
