/**
 * The Knative Service `kn func deploy` creates from a func.yaml, built the way func's Knative deployer builds it
 * (knative/func, pkg/knative/deployer.go: generateNewService and setServiceOptions), so that what func would send
 * can be checked without running func: `deploy.labels` go on the Service and its revision template alike, and so
 * do `deploy.annotations` (after func's own Dapr annotations); `deploy.options.scale` becomes autoscaling
 * annotations on the template only; `deploy.options.resources` becomes the container's requests and limits and
 * the template's containerConcurrency.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface FuncYaml {
  name: string;
  run?: { envs?: { name?: string; value?: string }[] };
  deploy?: {
    serviceAccountName?: string;
    annotations?: Record<string, string>;
    labels?: { key: string; value: string }[];
    healthEndpoints?: { liveness?: string; readiness?: string };
    options?: {
      scale?: { min?: number; max?: number; metric?: string; target?: number; utilization?: number };
      resources?: {
        requests?: { cpu?: string; memory?: string };
        limits?: { cpu?: string; memory?: string; concurrency?: number };
      };
    };
  };
}

export interface FuncService {
  apiVersion: 'serving.knative.dev/v1';
  kind: 'Service';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: {
    template: {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: Record<string, unknown> & { containers: Record<string, unknown>[]; serviceAccountName?: string };
    };
  };
}

export function readFuncYaml(file: string): FuncYaml {
  return parse(readFileSync(file, 'utf8')) as FuncYaml;
}

/** func always adds these; they do nothing unless Dapr runs in the cluster. */
function daprAnnotations(name: string): Record<string, string> {
  return {
    'dapr.io/app-id': name,
    'dapr.io/enabled': 'true',
    'dapr.io/metrics-port': '9092',
    'dapr.io/app-port': '8080',
    'dapr.io/enable-api-logging': 'true',
  };
}

/** Go's %f, as func formats fractional scale options. */
const goFloat = (value: number) => value.toFixed(6);

function scaleAnnotations(scale: NonNullable<NonNullable<FuncYaml['deploy']>['options']>['scale']) {
  if (!scale) return {};
  const prefix = 'autoscaling.knative.dev/';
  return Object.fromEntries(
    [
      ['min-scale', scale.min === undefined ? undefined : String(scale.min)],
      ['max-scale', scale.max === undefined ? undefined : String(scale.max)],
      ['metric', scale.metric],
      ['target', scale.target === undefined ? undefined : goFloat(scale.target)],
      [
        'target-utilization-percentage',
        scale.utilization === undefined ? undefined : goFloat(scale.utilization),
      ],
    ]
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [`${prefix}${key}`, value as string]),
  );
}

/** Plain `name: value` entries only: our func.yaml files use no `{{ secret:... }}` or `{{ env:... }}` forms. */
function environment(f: FuncYaml, built: string): { name: string; value: string }[] {
  const envs = (f.run?.envs ?? []).map((e) => {
    if (!e.name || e.value === undefined || e.value.startsWith('{{'))
      throw new Error(`${f.name}: run.envs entry ${JSON.stringify(e)} is not a plain name and value`);
    return { name: e.name, value: e.value };
  });
  const address = envs.some((e) => e.name === 'ADDRESS') ? [] : [{ name: 'ADDRESS', value: '0.0.0.0' }];
  return [{ name: 'BUILT', value: built }, ...envs, ...address];
}

type Deploy = NonNullable<FuncYaml['deploy']>;

/** `options.resources` as the container's requests and limits (concurrency goes on the template instead). */
function containerResources(resources: NonNullable<Deploy['options']>['resources']) {
  if (!resources) return {};
  const limits = Object.fromEntries(
    Object.entries(resources.limits ?? {}).filter(([k]) => k !== 'concurrency'),
  );
  return {
    ...(resources.requests ? { requests: resources.requests } : {}),
    ...(resources.limits ? { limits } : {}),
  };
}

/** The one container: func's hardened security context, its probes, the environment and `options.resources`. */
function container(deploy: Deploy, image: string, env: { name: string; value: string }[]) {
  const probe = (path: string) => ({ httpGet: { path } });
  return {
    image,
    env,
    livenessProbe: probe(deploy.healthEndpoints?.liveness ?? '/health/liveness'),
    readinessProbe: probe(deploy.healthEndpoints?.readiness ?? '/health/readiness'),
    resources: containerResources(deploy.options?.resources),
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

export function funcService(
  f: FuncYaml,
  options: { image: string; namespace: string; built: string },
): FuncService {
  const deploy = f.deploy ?? {};
  const labels = Object.fromEntries((deploy.labels ?? []).map((l) => [l.key, l.value]));
  const annotations = { ...daprAnnotations(f.name), ...deploy.annotations };
  const concurrency = deploy.options?.resources?.limits?.concurrency;
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: f.name, namespace: options.namespace, labels, annotations },
    spec: {
      template: {
        metadata: { labels, annotations: { ...annotations, ...scaleAnnotations(deploy.options?.scale) } },
        spec: {
          ...(deploy.serviceAccountName ? { serviceAccountName: deploy.serviceAccountName } : {}),
          ...(concurrency === undefined ? {} : { containerConcurrency: concurrency }),
          containers: [container(deploy, options.image, environment(f, options.built))],
        },
      },
    },
  };
}
