import { describe, expect, it } from 'vitest';
import { TRAEFIK_INGRESS_CLASS } from '../../knative/networking.ts';
import { patchServing, SERVING_DOMAIN } from '../../knative/serving.ts';
import type { KubeObject } from '../../knative/upstream.ts';

const REGISTRY = '127.0.0.1:5000';
const images = {
  controller: `${REGISTRY}/knative/serving/controller@sha256:c`,
  queue: `${REGISTRY}/knative/serving/queue@sha256:q`,
};

function deployment(program: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: program, namespace: 'knative-serving' },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: program,
              image: `ko://knative.dev/serving/cmd/${program}`,
              resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '1000m', memory: '1000Mi' } },
            },
          ],
        },
      },
    },
  };
}

const configMap = (name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'knative-serving' },
  data,
});

describe("the bed's patches to Serving's release objects", () => {
  const patched = patchServing(
    [
      deployment('controller'),
      { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'activator' } },
      configMap('config-deployment', { 'queue-sidecar-image': 'ko://knative.dev/serving/cmd/queue' }),
      configMap('config-domain', { _example: 'kept' }),
      configMap('config-network'),
      {
        apiVersion: 'caching.internal.knative.dev/v1alpha1',
        kind: 'Image',
        metadata: { name: 'queue-proxy' },
        spec: { image: 'ko://knative.dev/serving/cmd/queue' },
      },
    ],
    images,
    REGISTRY,
  );
  const byName = (name: string) => patched.find((object) => object.metadata.name === name);

  it('runs the pushed digests, with requests a 2-CPU node can hold and upstream limits', () => {
    const spec = byName('controller')?.spec as { template: { spec: { containers: Record<string, unknown>[] } } };
    expect(spec.template.spec.containers[0]).toMatchObject({
      image: images.controller,
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '1000m', memory: '1000Mi' } },
    });
    expect(byName('config-deployment')?.data).toMatchObject({ 'queue-sidecar-image': images.queue });
    expect(byName('queue-proxy')?.spec).toEqual({ image: images.queue });
  });

  it('skips tag resolution against the loopback registry, routes by a DNS-free domain through Traefik', () => {
    expect(byName('config-deployment')?.data).toMatchObject({ 'registries-skipping-tag-resolving': REGISTRY });
    expect(byName('config-domain')?.data).toEqual({ _example: 'kept', [SERVING_DOMAIN]: '' });
    expect(byName('config-network')?.data).toEqual({ 'ingress-class': TRAEFIK_INGRESS_CLASS });
  });

  it('leaves out the CPU-metric autoscalers no metrics API would feed', () => {
    expect(patched.some((object) => object.kind === 'HorizontalPodAutoscaler')).toBe(false);
  });

  it('refuses a program it has no image for rather than leaving a ko:// reference', () => {
    expect(() => patchServing([deployment('autoscaler')], images, REGISTRY)).toThrow(/no image was built/);
  });
});
