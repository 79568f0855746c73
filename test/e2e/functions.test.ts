/**
 * Every reconcile function as the chart installs it, on real Knative: with every function at zero pods, a new
 * object of each kind travels Knative's ApiServerSource adapter → the activator → a function pod started for it →
 * children applied and status written. Then, with nothing changing, the functions stay at zero, and a change
 * wakes only the functions whose sources watch the changed kind.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_LABEL, TENANT_OPT_IN_LABEL } from '../../functions/shared/src/api/index.ts';
import { waitFor } from '../cluster/wait.ts';
import { example, type Manifest } from '../fixtures/examples.ts';
import {
  functionLogs,
  FUNCTIONS,
  functionsAwake,
  functionsWatching,
  quietUntilNextPing,
  type FunctionName,
} from '../knative/functions.ts';
import { e2eBed } from './support.ts';

const bed = e2eBed();
const run = randomBytes(3).toString('hex');
const namespace = `e2e-fleet-${run}`;
const tenantNamespace = `${namespace}-team`;

interface Reconciled {
  metadata: { name: string; generation: number };
  status?: { observedGeneration?: number; conditions?: unknown[] };
}

/** One object per function, from docs/examples, in this run's namespace; cluster-scoped names carry the run. */
const OBJECTS: Record<FunctionName, Manifest> = {
  // No pods that would compete with the functions for the node's two CPUs: the Deployments are what is checked.
  server: withHost(inNamespace(example('MCPGServer', { replicas: 0 }))),
  instance: inNamespace(example('MCPGInstance')),
  gateway: inNamespace(example('MCPGGateway', { ingress: undefined, autoscaling: undefined, replicas: 1 })),
  route: inNamespace(example('MCPGRoute', { gatewayRef: { name: 'gw', namespace } })),
  'plugin-set': inNamespace(example('MCPGPluginSet')),
  cluster: clusterScoped(example('MCPGCluster')),
  tenant: clusterScoped(example('MCPGTenant', { namespaces: [tenantNamespace] })),
  'supply-chain': clusterScoped(example('MCPGRevocationList')),
};

function inNamespace(manifest: Manifest): Manifest {
  return { ...manifest, metadata: { ...manifest.metadata, namespace } };
}
function clusterScoped(manifest: Manifest): Manifest {
  return {
    ...manifest,
    metadata: { name: `${manifest.metadata.name}-${run}`, labels: { 'mcpg.dev/e2e': run } },
  };
}
/** A host of its own: other e2e cases create servers from the same example, and a host serves one namespace. */
function withHost(manifest: Manifest): Manifest {
  const ingress = { ...(manifest.spec.ingress as object), host: `github-tools.${namespace}.example.com` };
  return { ...manifest, spec: { ...manifest.spec, ingress } };
}

function resourcePath(manifest: Manifest): string {
  const plural = `${manifest.kind.toLowerCase()}s`;
  const scope = manifest.metadata.namespace ? `namespaces/${manifest.metadata.namespace}/` : '';
  return `/apis/mcpg.dev/v1alpha2/${scope}${plural}/${manifest.metadata.name}`;
}

async function read(manifest: Manifest): Promise<Reconciled> {
  return JSON.parse(await bed.kubectl('get', '--raw', resourcePath(manifest))) as Reconciled;
}

async function apply(manifest: Manifest): Promise<void> {
  await bed.apply(JSON.stringify(manifest));
}

/** The function's log, printed when a case about it fails: the assertion alone rarely says why. */
async function explained<T>(fns: readonly FunctionName[], check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    for (const fn of fns) console.error(`--- mcpg-${fn} log\n${await functionLogs(bed, fn)}`);
    throw error;
  }
}

beforeAll(async () => {
  await bed.kubectl('create', 'namespace', namespace);
  // An administrator opts a namespace in before a tenant may hold it.
  await bed.kubectl('create', 'namespace', tenantNamespace);
  await bed.kubectl(
    'label',
    'namespace',
    tenantNamespace,
    `${TENANT_OPT_IN_LABEL}=true`,
    `mcpg.dev/e2e=${run}`,
  );
}, 60_000);

afterAll(async () => {
  for (const manifest of Object.values(OBJECTS))
    if (!manifest.metadata.namespace)
      await bed.kubectl('delete', '--raw', resourcePath(manifest)).catch(() => undefined);
  await bed.kubectl('delete', 'namespace', namespace, tenantNamespace, '--wait=false').catch(() => undefined);
});

describe('every reconcile function, installed by the chart, from zero pods', () => {
  it('a new object of each kind wakes its function through the activator; it applies children and writes status', async () => {
    await quietUntilNextPing(bed);
    const startedAt = Date.now();
    await Promise.all(Object.values(OBJECTS).map(apply));

    for (const fn of FUNCTIONS) {
      const manifest = OBJECTS[fn];
      const reconciled = await explained([fn], () =>
        waitFor(
          async () => {
            const found = await read(manifest);
            return found.status?.observedGeneration === found.metadata.generation ? found : undefined;
          },
          {
            what: `status on ${manifest.kind} ${manifest.metadata.name}`,
            timeoutMs: 180_000,
            intervalMs: 1_000,
          },
        ),
      );
      expect(reconciled.status?.conditions?.length, `${manifest.kind} conditions`).toBeGreaterThan(0);
      console.log(`${fn}: status written ${Date.now() - startedAt} ms after the objects were created`);
    }
    // Children, as users see them: the server's and the gateway's Deployments, the tenant's namespace fenced.
    await explained(['server', 'gateway', 'tenant'], () =>
      waitFor(
        async () => {
          const deployments = await bed.kubectl('get', 'deployments', '-n', namespace, '-o', 'name');
          const fenced = await bed.kubectl(
            'get',
            'namespace',
            tenantNamespace,
            '-o',
            `jsonpath={.metadata.labels.${TENANT_LABEL.replace(/\./g, '\\.')}}`,
          );
          return deployments.includes('deployment.apps/github-tools') &&
            deployments.includes('deployment.apps/gw') &&
            fenced === OBJECTS.tenant.metadata.name
            ? true
            : undefined;
        },
        {
          what: 'the Deployments of server and gateway, and the tenant label',
          timeoutMs: 120_000,
          intervalMs: 1_000,
        },
      ),
    );
  }, 900_000);

  it('with nothing changing the functions stay at zero; a change wakes only those watching its kind', async () => {
    await quietUntilNextPing(bed);
    // Quiet: no pod of any function starts while nothing changes.
    const quiet = await functionsAwake(bed, 45_000);
    expect([...quiet], 'functions started while nothing changed').toEqual([]);

    const server = OBJECTS.server;
    await apply({ ...server, spec: { ...server.spec, env: { LOG_LEVEL: 'debug' } } });
    const woken = await functionsAwake(bed, 60_000);
    const watching = await functionsWatching('MCPGServer');
    expect([...woken].sort()).toContain('server');
    for (const fn of woken) expect(watching, `${fn} woke for an MCPGServer change`).toContain(fn);
    console.log(
      `an MCPGServer change woke ${[...woken].sort().join(', ')} (watching it: ${watching.join(', ')})`,
    );
  }, 900_000);
});
