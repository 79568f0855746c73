import { inject, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { NODE_NAME } from '../cluster/control-plane.ts';
import type { ControlPlaneState } from '../cluster/control-plane.ts';
import { TestBedError } from '../cluster/errors.ts';
import { diffSnapshots, snapshotHost } from '../cluster/node/host.ts';
import { startRealNode } from '../cluster/node/real-node.ts';
import { toolsBinDir } from '../cluster/tools.ts';
import { core } from './support.ts';

describe('the real node beside the fake one', () => {
  it('runs the pinned kubelet and containerd', async () => {
    const real = await core().readNode({ name: inject('nodeName') });
    expect(real.status?.nodeInfo).toMatchObject({
      kubeletVersion: 'v1.36.3',
      containerRuntimeVersion: 'containerd://2.4.2',
    });
    expect(real.metadata?.annotations).not.toHaveProperty(['kwok.x-k8s.io/node']);
  });

  it('leaves kwok its own node, tainted so that pods go to the real one', async () => {
    const fake = await core().readNode({ name: NODE_NAME });
    expect(fake.metadata?.annotations?.['kwok.x-k8s.io/node']).toBe('fake');
    expect(fake.spec?.taints?.map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`)).toContain(
      'kwok.x-k8s.io/node=fake:NoSchedule',
    );
  });

  it('refuses a second real node with one message, changing nothing on the machine', async () => {
    const binDir = toolsBinDir();
    const before = await snapshotHost(binDir);
    const cluster: ControlPlaneState = {
      runDir: inject('clusterRunDir'),
      kubeconfig: inject('kubeconfig'),
      server: loadKubeConfig(inject('kubeconfig')).getCurrentCluster()?.server ?? '',
      processes: [],
      caFile: `${inject('clusterRunDir')}/pki/ca.crt`,
    };
    const refused = await startRealNode(cluster).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TestBedError);
    expect((refused as TestBedError).message).toMatch(/^a real node is already running on this machine/);
    expect((refused as TestBedError).fix).toMatch(/make cluster-down/);
    // The running node's kube-proxy rewrites its own KUBE-* rules whenever a Service changes (an earlier file's
    // namespace may still be going away); everything else must be as it was.
    const changed = diffSnapshots(before, await snapshotHost(binDir)).filter(
      (line) => !/^rules: [-+] ip6? (filter|nat|mangle) -A KUBE-/.test(line),
    );
    expect(changed).toEqual([]);
  });
});
