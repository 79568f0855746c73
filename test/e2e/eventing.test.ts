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
import { stackBed } from '../knative/bed.ts';
import {
  adapterImage,
  CLUSTER_SCOPED,
  forRecorder,
  objectOf,
  type SourceObject,
  type Watch,
} from './eventing-support.ts';

const bed = stackBed({
  kubeconfig: inject('kubeconfig'),
  registry: inject('registryHost'),
  say: () => undefined,
});
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
): Promise<RecordedEvent> {
  const name = object.metadata.name as string;
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

/** For each kind the source watches, a new object of that kind reaches the recorder as knative.md describes. */
async function everyWatchDelivered(fn: string, source: SourceObject): Promise<void> {
  const { mode, resources } = source.spec as { mode: string; resources: Watch[] };
  const prefix = mode === 'Resource' ? 'dev.knative.apiserver.resource' : 'dev.knative.apiserver.ref';
  for (const watch of resources) {
    // Unique per run: some kinds are cluster-scoped.
    const name = `${watch.kind.toLowerCase()}-${fn}-${run}`;
    const object = objectOf(watch, name, namespace);
    await apply([object]);
    const event = await deliveryOf(watch, object);
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
    const sources = objects.filter((o) => o.kind === 'ApiServerSource');
    await bed.kubectl(
      '-n',
      namespace,
      'wait',
      '--for=condition=Ready',
      '--timeout=150s',
      ...sources.map((s) => `apiserversource/${s.metadata.name}`),
    );
    try {
      for (const source of sources) await everyWatchDelivered(fn, source);
    } finally {
      await bed.kubectl('-n', namespace, 'delete', 'apiserversource,containersource', '--all', '--wait=true');
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
