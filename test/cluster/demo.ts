/**
 * `make demo`: the local control plane with the mcpg.dev API installed, the examples applied, and the server,
 * instance, gateway, route, plugin-set, cluster and tenant functions running as processes fed by Knative's
 * ApiServerSource adapter. Shows the servers reaching Running, the tenant fencing its namespace, the example
 * gateway rendered from its resolved plugin set with a tenant's route folded in, a refusal by the API server's
 * own schema, and an idle instance being collected.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { wiring as clusterWiring } from '@mcpg-functions/cluster/wiring';
import { wiring as gatewayWiring } from '@mcpg-functions/gateway/wiring';
import { wiring as instanceWiring } from '@mcpg-functions/instance/wiring';
import { wiring as pluginSetWiring } from '@mcpg-functions/plugin-set/wiring';
import { wiring as routeWiring } from '@mcpg-functions/route/wiring';
import { wiring as serverWiring } from '@mcpg-functions/server/wiring';
import { wiring as tenantWiring } from '@mcpg-functions/tenant/wiring';
import { KINDS, TENANT_OPT_IN_LABEL } from '@mcpg-functions/shared/api';
import { eventSources, type FunctionWiring } from '@mcpg-functions/shared/knative';
import { KubeApiError, kubeRequest } from '@mcpg-functions/shared/kube';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { example, loadExamples, type Manifest } from '../fixtures/examples.ts';
import { applyWith, create, installCrdsWith } from '../integration/support/crds.ts';
import { showGateways } from './demo-gateway.ts';
import { sourceAdapter, startAdapter } from './adapter.ts';
import { sendPing } from './ping.ts';
import { freePort } from './ports.ts';
import { isOurProcess, ManagedProcess, type ProcessRecord } from './processes.ts';
import { readState, recordProcesses } from './state.ts';
import { REPO_ROOT, toolPath } from './tools.ts';
import { waitFor } from './wait.ts';

const kubeconfigPath = process.argv[2];
if (!kubeconfigPath) throw new Error('usage: node test/cluster/demo.ts <kubeconfig>');
const config = loadKubeConfig(kubeconfigPath);
const kubectl = (...args: string[]) =>
  promisify(execFile)(toolPath('kubectl'), [`--kubeconfig=${kubeconfigPath}`, ...args]).then((r) => r.stdout);
const say = (text: string) => {
  console.log(`\n== ${text}`);
};

/** Starts a function and an adapter watching what it declares, cluster-wide; reuses them when already running. */
async function runFunction(wiring: FunctionWiring, logDir: string): Promise<string> {
  const state = readState();
  const running = state?.processes.find((p) => p.name.startsWith(`demo-${wiring.name}@`) && isOurProcess(p));
  if (running) return `http://127.0.0.1:${running.name.split('@')[1] ?? ''}`;
  const port = await freePort();
  const fn = ManagedProcess.start({
    name: `demo-${wiring.name}@${port}`,
    binary: process.execPath,
    args: [path.join(REPO_ROOT, 'functions', wiring.name, 'src', 'index.ts')],
    logDir,
    env: { KUBECONFIG: kubeconfigPath ?? '', HOST: '127.0.0.1', PORT: String(port) },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => ((await fetch(`${url}/health/readiness`)).ok ? true : undefined), {
    what: `the ${wiring.name} function`,
    timeoutMs: 20_000,
    watch: [fn],
    log: fn.record.log,
  });
  const adapters = await Promise.all(
    eventSources(wiring).map((source) =>
      startAdapter({
        ...sourceAdapter(source),
        name: `demo-${source.name}`,
        kubeconfig: kubeconfigPath ?? '',
        sink: `${url}/`,
        allNamespaces: true,
        logDir,
      }),
    ),
  );
  const records: ProcessRecord[] = [fn.record, ...adapters.map((a) => a.record)];
  recordProcesses(records);
  return url;
}

await installCrdsWith(config);
console.log(`installed ${KINDS.length} CRDs (mcpg.dev/v1alpha2)`);
for (const namespace of new Set(
  loadExamples().flatMap((m) => (m.metadata.namespace ? [m.metadata.namespace] : [])),
)) {
  await kubectl('create', 'namespace', namespace).catch(() => undefined);
  // An administrator opts a namespace in before a tenant may hold it.
  await kubectl('label', '--overwrite', 'namespace', namespace, `${TENANT_OPT_IN_LABEL}=true`);
}
for (const manifest of loadExamples()) await applyWith(config, manifest);
console.log('applied docs/examples');

const logDir = path.join(readState()?.runDir ?? REPO_ROOT, 'logs');
const serverUrl = await runFunction(serverWiring, logDir);
const instanceUrl = await runFunction(instanceWiring, logDir);
console.log(`server function on ${serverUrl}, instance function on ${instanceUrl} (logs in ${logDir})`);
// Objects that existed before the event source started are picked up by a resync, as a PingSource would.
await sendPing(serverUrl);
await sendPing(instanceUrl);

type Server = {
  metadata: { name: string };
  status?: { phase?: string; conditions?: { type: string; reason: string; message?: string }[] };
};
const serversPath = '/apis/mcpg.dev/v1alpha2/namespaces/mcpg/mcpgservers';
const phases = async () =>
  (await kubeRequest<{ items: Server[] }>(config, { method: 'GET', path: serversPath })).items;
// A server with a verify policy waits for the supply-chain function, which has no registry to check in the demo.
const heldBack = (s: Server) =>
  s.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'ImageNotVerified') === true;

say('the servers are reconciled; KWOK makes their pods ready');
await waitFor(
  async () =>
    (await phases()).every((s) => heldBack(s) || ['Running', 'Degraded'].includes(s.status?.phase ?? ''))
      ? true
      : undefined,
  {
    what: 'the example servers to settle',
    timeoutMs: 60_000,
  },
);
console.log(await kubectl('get', 'mcpgservers,mcpginstances', '--all-namespaces'));
console.log(await kubectl('get', 'deployments,services,networkpolicies,ingresses,pods', '-n', 'mcpg'));
for (const server of (await phases()).filter(heldBack)) {
  const ready = server.status?.conditions?.find((c) => c.type === 'Ready');
  console.log(
    `${server.metadata.name} has a verify policy, so it runs only an image the supply-chain function verified; ` +
      `no registry runs in the demo, so it stays ${server.status?.phase ?? 'Pending'} with no Deployment:\n  ${ready?.message ?? ''}`,
  );
}
console.log(
  'github-tools is Degraded on purpose: its Ingress asks for strict readiness, and this cluster has no Ingress\n' +
    'controller to give the Ingress an address. Switching it to permissive readiness:',
);
await kubectl(
  'patch',
  'mcpgserver',
  'github-tools',
  '-n',
  'mcpg',
  '--type=merge',
  '-p',
  '{"spec":{"ingress":{"readiness":"permissive"}}}',
);
await waitFor(
  async () =>
    (await phases()).every((s) => heldBack(s) || s.status?.phase === 'Running') ? true : undefined,
  { what: 'the example servers to be Running', timeoutMs: 60_000 },
);
console.log(await kubectl('get', 'mcpgservers', '-n', 'mcpg'));

say('the tenant fences its namespace (label, ResourceQuota, RBAC); the cluster backend reports its status');
const tenantUrl = await runFunction(tenantWiring, logDir);
const clusterUrl = await runFunction(clusterWiring, logDir);
await sendPing(tenantUrl);
await sendPing(clusterUrl);
await waitFor(
  async () => {
    const { items } = await kubeRequest<{ items: { status?: { conditions?: unknown[] } }[] }>(config, {
      method: 'GET',
      path: '/apis/mcpg.dev/v1alpha2/mcpgtenants',
    });
    return items.every((t) => t.status?.conditions) ? true : undefined;
  },
  { what: 'the example tenant to be reconciled', timeoutMs: 30_000 },
);
console.log(await kubectl('get', 'mcpgtenants,mcpgclusters'));
// Not Ready, and why: the examples name a namespace and a backend plugin that do not exist here.
for (const object of ['mcpgtenant/team-a', 'mcpgcluster/prod-redis']) {
  const reason = await kubectl(
    'get',
    object,
    '-o',
    'jsonpath={.status.conditions[?(@.type=="Ready")].message}',
  );
  console.log(`${object}: ${reason}`);
}
console.log(await kubectl('get', 'namespace', 'team-a', '--show-labels'));
console.log(
  await kubectl(
    'get',
    'resourcequotas,roles,rolebindings',
    '-n',
    'team-a',
    '-l',
    'app.kubernetes.io/managed-by=mcpg-functions',
  ),
);

await showGateways({
  config,
  kubectl,
  say,
  pluginSetUrl: await runFunction(pluginSetWiring, logDir),
  gatewayUrl: await runFunction(gatewayWiring, logDir),
  routeUrl: await runFunction(routeWiring, logDir),
});

const broken: Manifest = {
  ...example('MCPGGateway', { replicas: 0 }),
  metadata: { name: 'broken', namespace: 'mcpg' },
};
try {
  await create({ config }, broken, true);
} catch (error) {
  const message =
    error instanceof KubeApiError ? (JSON.parse(error.body) as { message: string }).message : String(error);
  say(`a gateway with replicas: 0 is refused by the API server itself\n${message}`);
}

say('an instance idle for longer than its idleTTL (5s) is collected on the next resync');
const idle = {
  ...example('MCPGInstance', { idleTTL: '5s' }),
  metadata: { name: 'demo-idle', namespace: 'mcpg' },
};
await applyWith(config, idle);
await waitFor(
  async () => {
    const current = await kubeRequest<{ status?: { phase?: string } }>(config, {
      method: 'GET',
      path: '/apis/mcpg.dev/v1alpha2/namespaces/mcpg/mcpginstances/demo-idle',
    });
    return current.status?.phase === 'Running' ? true : undefined;
  },
  { what: 'the idle instance to run', timeoutMs: 30_000 },
);
console.log(await kubectl('get', 'mcpginstances', '-n', 'mcpg'));
await sleep(6_000);
await sendPing(instanceUrl);
await sleep(1_000);
console.log(await kubectl('get', 'mcpginstances', '-n', 'mcpg'));
console.log(await kubectl('get', 'events', '-n', 'mcpg', '--field-selector', 'reason=IdleTimeout'));
