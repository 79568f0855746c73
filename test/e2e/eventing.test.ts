/**
 * Knative's own controllers drive the project's event sources: every function's sources from knative/ (what
 * `make generate` writes and the chart renders from the same code) are applied with their sink pointed at a
 * recorder, one function at a time, and for every kind each source watches a new object of that kind must reach
 * the recorder as the CloudEvent knative.md describes. A PingSource's ping must reach it too.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildAll } from '../../images/builder/build.ts';
import { knativeResource } from '../../functions/shared/src/knative/index.ts';
import { REPO_ROOT, toolPath } from '../cluster/tools.ts';
import { waitFor } from '../cluster/wait.ts';
import { example } from '../fixtures/examples.ts';
import {
  adapterImage,
  CLUSTER_SCOPED,
  directConfig,
  forRecorder,
  objectOf,
  TENANT_HELD,
  type SourceObject,
  type Watch,
} from './eventing-support.ts';
import { e2eBed } from './support.ts';

const bed = e2eBed();
const run = randomBytes(3).toString('hex');
const namespace = `e2e-eventing-${run}`;
/** The adapters' in-cluster API server address: the `source` of every ApiServerSource event. */
const API_SOURCE = 'https://10.96.0.1:443';
const FUNCTIONS = [
  'cluster',
  'gateway',
  'instance',
  'plugin-set',
  'route',
  'server',
  'supply-chain',
  'tenant',
];

interface RecordedEvent {
  attributes: Record<string, string>;
  data: unknown;
}

async function recorded(): Promise<RecordedEvent[]> {
  const raw = await bed.kubectl(
    'get',
    '--raw',
    `/api/v1/namespaces/${namespace}/services/recorder:http/proxy/events`,
  );
  return JSON.parse(raw) as RecordedEvent[];
}

async function apply(objects: object[]): Promise<void> {
  await bed.apply(objects.map((o) => JSON.stringify(o)).join('\n'));
}

/** The pseudo self link Knative's adapter puts in `subject`, from the resource it guesses for the kind. */
function subjectOf(watch: Watch, name: string): string {
  const scope = CLUSTER_SCOPED.has(watch.kind) ? '' : namespace;
  return `/apis/${watch.apiVersion}/namespaces/${scope}/${knativeResource(watch.kind)}/${name}`;
}

/**
 * Waits for the object's event. An adapter may report ready just before its watches are open, and it sends nothing
 * for objects that existed before (knative.md §1.5), so an object not heard of is touched again now and then: its
 * update is as good a proof of delivery as its creation.
 */
async function deliveryOf(
  watch: Watch,
  object: { metadata: Record<string, unknown> },
  create = false,
): Promise<RecordedEvent> {
  const name = object.metadata.name as string;
  if (create) await apply([object]);
  let touches = 0;
  return waitFor(
    async () => {
      const found = (await recorded()).find(
        (e) => e.attributes.kind === watch.kind && e.attributes.name === name,
      );
      if (found) return found;
      touches += 1;
      if (touches % 10 === 0)
        await bed.kubectl(
          'annotate',
          '--overwrite',
          ...(CLUSTER_SCOPED.has(watch.kind) ? [] : ['-n', namespace]),
          `${[watch.kind.toLowerCase(), groupOf(watch.apiVersion)].filter(Boolean).join('.')}/${name}`,
          `mcpg.dev/e2e-touch=${touches}`,
        );
      return undefined;
    },
    { what: `a CloudEvent for ${watch.kind} ${name}`, timeoutMs: 90_000, intervalMs: 1_000 },
  );
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

function sourcesOf(fn: string): SourceObject[] {
  const text = readFileSync(path.join(REPO_ROOT, 'knative', `${fn}.yaml`), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as SourceObject);
}

/** The resources the API server serves in a group version, by name, with their kinds. */
async function served(apiVersion: string): Promise<Map<string, string>> {
  const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const list = JSON.parse(await bed.kubectl('get', '--raw', path)) as {
    resources: { name: string; kind: string }[];
  };
  return new Map(list.resources.map((r) => [r.name, r.kind]));
}

/**
 * What a source watches, in its mode. An ApiServerSource's resources are what Knative's controller guesses from
 * each kind, and each guess must be a resource the API server serves; a direct adapter's are named outright in
 * its configuration, and must be served too.
 */
async function watchesOf(source: SourceObject): Promise<{ mode: string; watches: Watch[] }> {
  if (source.kind === 'ApiServerSource') {
    const { mode, resources } = source.spec as { mode: string; resources: Watch[] };
    for (const watch of resources)
      expect([...(await served(watch.apiVersion)).keys()], `${watch.kind} as Knative derives it`).toContain(
        knativeResource(watch.kind),
      );
    return { mode, watches: resources };
  }
  const config = directConfig(source);
  const watches: Watch[] = [];
  for (const { gvr, selector } of config.resources) {
    const apiVersion = gvr.Group ? `${gvr.Group}/${gvr.Version}` : gvr.Version;
    const kind = (await served(apiVersion)).get(gvr.Resource);
    expect(kind, `${gvr.Resource} in ${apiVersion}`).toBeDefined();
    const matchLabels = selector
      ? Object.fromEntries(selector.split(',').map((label) => label.split('=') as [string, string]))
      : undefined;
    watches.push({ apiVersion, kind: kind ?? '', ...(matchLabels ? { selector: { matchLabels } } : {}) });
  }
  return { mode: config.mode, watches };
}

/** For each kind the source watches, a new object of that kind reaches the recorder as knative.md describes. */
async function everyWatchDelivered(fn: string, source: SourceObject): Promise<void> {
  const { mode, watches } = await watchesOf(source);
  const prefix = mode === 'Resource' ? 'dev.knative.apiserver.resource' : 'dev.knative.apiserver.ref';
  for (const watch of watches) {
    // Unique per run: some kinds are cluster-scoped.
    const name = `${watch.kind.toLowerCase()}-${fn}-${run}`;
    const event = await deliveryOf(watch, objectOf(watch, name, namespace), true);
    expect([`${prefix}.add`, `${prefix}.update`]).toContain(event.attributes.type);
    expect(event.attributes.source).toBe(API_SOURCE);
    expect(event.attributes.subject).toBe(subjectOf(watch, name));
    if (mode === 'Reference')
      // Only the reference travels, never the object: a Secret's data must not reach the sink.
      expect(event.data).toEqual({
        apiVersion: watch.apiVersion,
        kind: watch.kind,
        name,
        ...(CLUSTER_SCOPED.has(watch.kind) ? {} : { namespace }),
      });
    else expect((event.data as { metadata: { name: string } }).metadata.name).toBe(name);
  }
}

/** Waits until Knative reports each source Ready: its adapter is deployed and available, its sink resolved. */
async function ready(sources: SourceObject[]): Promise<void> {
  const names = sources.map((s) => `${s.kind.toLowerCase()}/${s.metadata.name}`);
  try {
    await bed.kubectl('-n', namespace, 'wait', '--for=condition=Ready', '--timeout=150s', ...names);
  } catch (error) {
    // What Knative made of them: the sources' conditions, their adapters' Deployments and pods.
    const state = await Promise.all([
      bed.kubectl('-n', namespace, 'get', ...names, '-o', 'yaml').catch(String),
      bed.kubectl('-n', namespace, 'get', 'deployments,pods,sinkbindings', '-o', 'wide').catch(String),
    ]);
    throw new Error(`not every source became Ready:\n${state.join('\n')}`, { cause: error });
  }
}

let adapter = '';

beforeAll(async () => {
  const [recorder] = await buildAll({
    registry: inject('registryHost'),
    crane: toolPath('crane'),
    cosign: toolPath('cosign'),
    insecure: true,
    only: ['event-recorder'],
  });
  await bed.kubectl('create', 'namespace', namespace);
  // Held as an MCPGTenant holds its namespaces, so the tenant-scoped sources watch it too.
  await bed.kubectl(
    'label',
    'namespace',
    namespace,
    ...Object.entries(TENANT_HELD).map(([key, value]) => `${key}=${value}`),
  );
  const labels = { app: 'recorder' };
  await apply([
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'recorder', namespace },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'recorder',
                image: recorder?.reference,
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'recorder', namespace },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
  ]);
  // The CRDs, as the chart installs them, so the MCPG kinds can be watched and created.
  await bed.kubectl('apply', '--server-side', '--force-conflicts', '-f', path.join(REPO_ROOT, 'crds'));
  await bed.kubectl('-n', namespace, 'rollout', 'status', 'deployment/recorder', '--timeout=180s');
  adapter = await adapterImage(bed);
}, 600_000);

afterAll(async () => {
  await bed.kubectl('delete', 'namespace', namespace, '--wait=false').catch(() => '');
  await bed
    .kubectl(
      'delete',
      'clusterrole,clusterrolebinding,namespace',
      '-l',
      `mcpg.dev/e2e=${namespace}`,
      '--wait=false',
    )
    .catch(() => '');
  for (const kind of CLUSTER_SCOPED)
    if (kind.startsWith('MCPG'))
      await bed
        .kubectl(
          'delete',
          `${kind.toLowerCase()}s.mcpg.dev`,
          '-l',
          `mcpg.dev/e2e=${namespace}`,
          '--wait=false',
        )
        .catch(() => '');
});

describe("Knative's ApiServerSource controller drives the sources of knative/", () => {
  it.each(FUNCTIONS)('%s: its adapters become ready and every watched kind reaches the sink', async (fn) => {
    // The resync pings are the last test's: here they would only add noise.
    const objects = forRecorder(sourcesOf(fn), { namespace, sink: 'recorder', adapterImage: adapter }).filter(
      (o) => o.kind !== 'PingSource',
    );
    await apply(objects);
    const sources = objects.filter((o) => o.kind === 'ApiServerSource' || o.kind === 'ContainerSource');
    await ready(sources);
    try {
      for (const source of sources) await everyWatchDelivered(fn, source);
    } finally {
      // Foreground: gone only once their adapters and sink bindings are, so a later case may reuse the names.
      await bed.kubectl(
        '-n',
        namespace,
        'delete',
        'apiserversource,containersource',
        '--all',
        '--cascade=foreground',
        '--wait=true',
      );
    }
  });

  it("a new MCPGGateway reaches the sink within seconds, through Knative's adapter run directly", async () => {
    const objects = forRecorder(sourcesOf('gateway'), {
      namespace,
      sink: 'recorder',
      adapterImage: adapter,
    }).filter((o) => !['ApiServerSource', 'PingSource'].includes(o.kind));
    const direct = objects.find((o) => o.kind === 'ContainerSource');
    expect(direct, 'the gateway function watches its own kind through a direct adapter').toBeDefined();
    await apply(objects);
    await ready(objects.filter((o) => o === direct));
    try {
      const watch = { apiVersion: 'mcpg.dev/v1alpha2', kind: 'MCPGGateway' };
      // The adapter's watch is open once a first gateway is heard of.
      await deliveryOf(watch, objectOf(watch, `gateway-first-${run}`, namespace), true);
      const name = `gateway-new-${run}`;
      const started = Date.now();
      await apply([objectOf(watch, name, namespace)]);
      const event = await waitFor(
        async () =>
          (await recorded()).find((e) => e.attributes.kind === 'MCPGGateway' && e.attributes.name === name),
        // Far below the gateway's resync period (minutes), which was its only way to hear of a new gateway.
        { what: `the new gateway ${name}`, timeoutMs: 30_000, intervalMs: 250 },
      );
      console.log(`a new MCPGGateway reached the sink ${Date.now() - started} ms after it was created`);
      expect(event.attributes.type).toBe('dev.knative.apiserver.resource.add');
      expect((event.data as { spec: unknown }).spec).toEqual(example('MCPGGateway').spec);
    } finally {
      await bed.kubectl(
        '-n',
        namespace,
        'delete',
        'containersource',
        '--all',
        '--cascade=foreground',
        '--wait=true',
      );
    }
  });

  it("a PingSource's ping reaches the sink", async () => {
    const [ping] = forRecorder(sourcesOf('gateway'), {
      namespace,
      sink: 'recorder',
      adapterImage: adapter,
    }).filter((o) => o.kind === 'PingSource');
    expect(ping).toBeDefined();
    // Every ten seconds (the generated schedule is minutes apart), so the test waits seconds.
    await apply([{ ...ping, spec: { ...(ping?.spec as object), schedule: '*/10 * * * * *' } }]);
    const pingSource = `/apis/v1/namespaces/${namespace}/pingsources/${ping?.metadata.name}`;
    const event = await waitFor(
      async () =>
        (await recorded()).find(
          (e) => e.attributes.type === 'dev.knative.sources.ping' && e.attributes.source === pingSource,
        ),
      { what: 'a ping from the PingSource adapter', timeoutMs: 120_000, intervalMs: 1_000 },
    );
    expect(event.attributes.source).toBe(
      `/apis/v1/namespaces/${namespace}/pingsources/${ping?.metadata.name}`,
    );
    expect(event.data).toEqual({});
    await bed.kubectl('-n', namespace, 'delete', 'pingsource', '--all');
  });
});
