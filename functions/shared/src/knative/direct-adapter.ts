/**
 * Knative Eventing's ApiServerSource controller does not ask the API server which resource a kind is: it guesses
 * (see knativeResource), and for MCPGGateway it guesses "mcpggatewaies", which does not exist, so its adapter
 * watches nothing. The adapter itself takes its resources as given. Kinds the controller would get wrong are
 * therefore watched by that same adapter image run as a ContainerSource, configured with the resource the API
 * server serves; Knative still resolves the sink, injects it and reports the source's readiness.
 */
import { groupOf, RESTRICTED_CONTAINER, type EventSource } from './manifests.ts';
import type { WatchedType } from './wiring.ts';

/** What stands in for the adapter image where it cannot be known when the manifests are generated (knative/). */
export const ADAPTER_IMAGE_PLACEHOLDER = 'KNATIVE_APISERVER_RECEIVE_ADAPTER_IMAGE';

/** The adapter's K_SOURCE_CONFIG, as Knative's controller writes it for an ApiServerSource, with real plurals. */
export function adapterConfig(
  mode: EventSource['mode'],
  watches: readonly WatchedType[],
  resourceOf: (kind: string) => string,
): Record<string, unknown> {
  return {
    namespaces: [],
    allNamespaces: true,
    mode,
    resources: watches.map((w) => ({
      gvr: { Group: groupOf(w.apiVersion), Version: w.apiVersion.split('/').at(-1), Resource: resourceOf(w.kind) },
      ...(w.matchLabels
        ? {
            selector: Object.entries(w.matchLabels)
              .map(([key, value]) => `${key}=${value}`)
              .join(','),
          }
        : {}),
    })),
  };
}

/** The ContainerSource running Knative's ApiServerSource adapter for `watches` of `source`, as its account. */
export function directAdapter(options: {
  source: EventSource;
  watches: readonly WatchedType[];
  account: string;
  namespace: string;
  image: string;
  sink: unknown;
  labels: Record<string, string>;
  resourceOf: (kind: string) => string;
}): Record<string, unknown> {
  const name = `${options.source.name}-direct`;
  return {
    apiVersion: 'sources.knative.dev/v1',
    kind: 'ContainerSource',
    metadata: { name, namespace: options.namespace, labels: options.labels },
    spec: {
      template: {
        spec: {
          serviceAccountName: options.account,
          enableServiceLinks: false,
          containers: [
            {
              name: 'receive-adapter',
              image: options.image,
              env: [
                {
                  name: 'K_SOURCE_CONFIG',
                  value: JSON.stringify(adapterConfig(options.source.mode, options.watches, options.resourceOf)),
                },
                { name: 'NAME', value: name },
                { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
              ports: [{ name: 'probes', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/readiness', port: 'probes' } },
              livenessProbe: { httpGet: { path: '/health', port: 'probes' } },
              resources: { requests: { cpu: '10m', memory: '48Mi' }, limits: { memory: '256Mi' } },
              securityContext: RESTRICTED_CONTAINER,
            },
          ],
        },
      },
      sink: options.sink,
    },
  };
}
