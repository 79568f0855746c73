/**
 * Registry faults under MCPGServer image trust: servers whose image must be verified (a cosign key) pull it
 * through a proxy in front of a real registry, which breaks (hangs, or corrupts blob bytes) and then recovers.
 * The supply-chain function judges each image and the server function rolls out only what passed; both are
 * driven by resync pings, as they would be once an event has been missed. While the registry is broken, no
 * Deployment may exist and every server's status must say why in the tenant's terms; once it is back, the
 * fleet converges with the usual checks.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { cosignKeyPair, cosignSign, pushImage } from '../registry/artifacts.ts';
import { startFaultyProxy, type RegistryFault } from '../registry/faulty-proxy.ts';
import { loopbackRegistries } from '../registry/operator-access.ts';
import { startRegistry } from '../registry/registry.ts';
import type { RunningFunction } from '../integration/support/function-process.ts';
import type { Stage } from './scenarios.ts';

const SERVERS = 5;
/** Long enough for the registry client's 30 s timeout to fire in every check, with room for a busy machine. */
const FAULT_TIMEOUT_MS = 150_000;

interface Condition {
  type: string;
  status: string;
  reason: string;
  message?: string;
}
interface Listed {
  items: { metadata: { name: string }; status?: { conditions?: Condition[] } }[];
}

/** What is not as a fault demands: an ImageVerified condition not `expected`, or a Deployment at all. */
async function faultProblems(
  kube: KubeConfig,
  namespace: string,
  expected: { reason: RegExp; message: RegExp },
): Promise<string[]> {
  const [servers, deployments] = await Promise.all([
    kubeRequest<Listed>(kube, {
      method: 'GET',
      path: `/apis/mcpg.dev/v1alpha2/namespaces/${namespace}/mcpgservers`,
    }),
    kubeRequest<Listed>(kube, { method: 'GET', path: `/apis/apps/v1/namespaces/${namespace}/deployments` }),
  ]);
  const rolledOut = deployments.items.map(
    (d) => `${d.metadata.name}: rolled out while the registry is broken`,
  );
  const unexplained = servers.items.flatMap((server) => {
    const check = server.status?.conditions?.find((c) => c.type === 'ImageVerified');
    const says = check && check.status !== 'True' && expected.reason.test(check.reason);
    return says && expected.message.test(check.message ?? '')
      ? []
      : [
          `${server.metadata.name}: ImageVerified is ${check ? `${check.reason}: ${check.message}` : 'missing'}`,
        ];
  });
  return [...rolledOut, ...unexplained];
}

/** Polls, pinging both functions every few seconds, until `problems` is empty or time runs out. */
async function until(
  problems: () => Promise<string[]>,
  functions: RunningFunction[],
  timeoutMs: number,
): Promise<string[]> {
  const started = performance.now();
  let last: string[] = [];
  let lastPing = 0;
  while (performance.now() - started < timeoutMs) {
    last = await problems();
    if (last.length === 0) return [];
    if (performance.now() - lastPing > 5_000) {
      lastPing = performance.now();
      await Promise.all(functions.map((f) => f.ping()));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return last;
}

/**
 * The scenario: the registry breaks with `fault`, servers are created, each is refused with `expected` and
 * nothing rolls out; then the registry recovers and everything converges. Seconds are from the recovery.
 */
function registryFault(fault: RegistryFault, expected: { reason: RegExp; message: RegExp }) {
  return (stage: Stage) => async () => {
    const registry = await startRegistry({ logDir: stage.bed.workDir, name: 'fault-registry' });
    const proxy = await startFaultyProxy(registry.url, 'none');
    const keys = await cosignKeyPair();
    try {
      const { fleet, bed } = stage;
      const digest = await pushImage(`${registry.host}/servers/tools:1`, 'tools 1');
      await cosignSign(`${registry.host}/servers/tools@${digest}`, keys);
      await kubeRequest(bed.kube, {
        method: 'POST',
        path: `/api/v1/namespaces/${fleet.namespace}/secrets`,
        body: { metadata: { name: 'cosign-key' }, stringData: { 'cosign.pub': keys.publicPem } },
      });
      const supplyChain = await stage.startOther('supply-chain', {
        MCPG_OPERATOR_NAMESPACE: fleet.namespace,
        ...loopbackRegistries(registry.host, proxy.host),
      });
      const server = await stage.start();
      const functions = [supplyChain, server];
      fleet.spec = {
        image: `${proxy.host}/servers/tools@${digest}`,
        verify: { cosignKeyRef: { secretName: 'cosign-key' } },
        networkPolicy: { enabled: false },
      };
      proxy.fault = fault;
      await fleet.apply(
        Array.from({ length: SERVERS }, (_, i) => `${fault}-${i}`),
        1,
      );
      const broken = performance.now();
      const refused = await until(
        () => faultProblems(bed.kube, fleet.namespace, expected),
        functions,
        FAULT_TIMEOUT_MS,
      );
      console.error(
        `[faults] every server said why within ${((performance.now() - broken) / 1000).toFixed(1)} s of the registry breaking`,
      );
      const stillRefused = refused.length > 0 ? refused : await holdsBack(stage, functions, expected);
      proxy.fault = 'none';
      const healed = await fleet.converge({
        timeoutMs: 180_000,
        resync: () => Promise.all(functions.map((f) => f.ping())),
      });
      return { seconds: healed.seconds, problems: [...stillRefused, ...healed.problems] };
    } finally {
      await proxy.close();
      await registry.stop();
      keys.remove();
    }
  };
}

/** Two more resyncs while the registry is still broken: still nothing rolled out, the reason unchanged. */
async function holdsBack(
  stage: Stage,
  functions: RunningFunction[],
  expected: { reason: RegExp; message: RegExp },
): Promise<string[]> {
  for (let round = 0; round < 2; round += 1) {
    await Promise.all(functions.map((f) => f.ping()));
    const problems = await faultProblems(stage.bed.kube, stage.fleet.namespace, expected);
    if (problems.length > 0) return problems;
  }
  return [];
}

/** A registry that takes connections and never answers: the client's timeout fires, the check says so. */
export const registryHangs = registryFault('hang', {
  reason: /^(PullFailed|CheckFailed)$/,
  message: /did not answer in time/,
});

/** A registry returning blobs whose bytes do not match their digest: verification refuses them. */
export const registryCorrupts = registryFault('corrupt', {
  reason: /^DigestMismatch$/,
  message: /sha256:[0-9a-f]{64}/,
});
