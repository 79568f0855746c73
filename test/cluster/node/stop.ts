/**
 * Undoing a real node, in the reverse order of its start, from whatever its recorded state says was done. Every
 * step runs even when an earlier one fails; what could not be undone is reported in one error at the end.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { TestBedError } from '../errors.ts';
import { isOurProcess, stopProcesses } from '../processes.ts';
import { toolPath } from '../tools.ts';
import { tryCommand } from './command.ts';
import { killPodProcesses, removeNewPaths, removePodCgroups, unmountUnder } from './cleanup.ts';
import { nodePaths } from './configs.ts';
import { taintFakeNode } from './fake-node.ts';
import { restoreSysctls, WATCHED_PATHS } from './host.ts';
import { removeBridge, removeContainment, removeKubeletChains } from './network.ts';
import type { RealNodeState } from './real-node.ts';

/** Kills and removes every container of the node's containerd while it still answers. */
async function removeContainers(state: RealNodeState): Promise<void> {
  const containerd = state.processes.find((p) => p.name === 'containerd');
  if (!containerd || !isOurProcess(containerd)) return;
  const ctr = toolPath('ctr', state.binDir);
  const base = ['--address', nodePaths(state.dir).containerdSocket, '--namespace', 'k8s.io'];
  const list = (what: string) =>
    new Promise<string[]>((resolve) => {
      execFile(ctr, [...base, what, 'ls', '-q'], (error, stdout) => {
        resolve(error ? [] : stdout.split('\n').filter(Boolean));
      });
    });
  for (const task of await list('tasks')) {
    await tryCommand(ctr, [...base, 'tasks', 'kill', '-s', 'SIGKILL', task]);
    await tryCommand(ctr, [...base, 'tasks', 'delete', '-f', task]);
  }
  for (const container of await list('containers'))
    await tryCommand(ctr, [...base, 'containers', 'rm', container]);
}

export async function stopRealNode(state: RealNodeState): Promise<void> {
  const problems: string[] = [];
  const step = async (what: string, work: () => unknown) => {
    try {
      await work();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const byName = (names: string[]) => [...state.processes].reverse().filter((p) => names.includes(p.name));
  // The control plane may already be gone; the taint then went with it.
  await taintFakeNode(state.kubeconfig, false).catch(() => undefined);
  await step("stop the API server's forwarder for pods, the kubelet, kube-proxy and CoreDNS", () =>
    stopProcesses(byName(['apiserver-forwarder', 'kubelet', 'kube-proxy', 'coredns'])),
  );
  await step("remove the pods' containers", () => removeContainers(state));
  await step('stop containerd', () => stopProcesses(byName(['containerd'])));
  await step('kill what is left of the pods', () => killPodProcesses(state.binDir));
  await step("unmount the node's mounts", async () => {
    const left = await unmountUnder(state.dir);
    if (left.length > 0) throw new Error(`still mounted: ${left.join(', ')}`);
  });
  await step('remove the pod cgroups', async () => {
    const left = await removePodCgroups();
    if (left.length > 0) throw new Error(`not empty: ${left.join(', ')}`);
  });
  if (state.network) {
    await step("remove kube-proxy's rules", () =>
      tryCommand(toolPath('kube-proxy', state.binDir), ['--cleanup']),
    );
    await step("remove the kubelet's chains", () => removeKubeletChains());
    await step('remove the containment rules', () => removeContainment());
    await step('remove the bridge', () => removeBridge());
  }
  await step('restore kernel settings', () => restoreSysctls(state.sysctls));
  await step('remove files outside the node folder', () => {
    removeNewPaths(WATCHED_PATHS, state.watchedPaths);
  });
  if (state.registry) {
    const registry = state.registry;
    await step('stop the registry', () => stopProcesses([registry.process]));
    rmSync(registry.dir, { recursive: true, force: true });
  }
  if (problems.length === 0) rmSync(state.dir, { recursive: true, force: true });
  else {
    throw new TestBedError(`the real node was not fully undone:\n  - ${problems.join('\n  - ')}`, {
      log: nodePaths(state.dir).logs,
      fix: "run 'make cluster-down' again; if a step still fails, undo it by hand as the message says",
    });
  }
}
