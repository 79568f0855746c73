/**
 * What installing a part of the Knative stack needs from the running real-node bed: its kubeconfig, its
 * registry, and the tools. Every part (cert-manager, Serving, the networking layer, Eventing, our chart) is a
 * `StackPart` listed in parts.ts and installed in that order by `make knative-up`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PushTarget } from '../../images/builder/oci.ts';
import { TestBedError } from '../cluster/errors.ts';
import { isOurProcess } from '../cluster/processes.ts';
import { readState } from '../cluster/state.ts';
import { toolPath } from '../cluster/tools.ts';

const run = promisify(execFile);

export interface StackBed {
  kubeconfig: string;
  /** Where the stack's images go: `<host:port>`, plain HTTP on loopback, pulled by the real node. */
  push: PushTarget & { registry: string };
  kubectl: (...args: string[]) => Promise<string>;
  /** `kubectl apply --server-side` of a YAML or JSON document stream. */
  apply: (manifests: string) => Promise<void>;
  say: (line: string) => void;
}

export interface StackPart {
  name: string;
  /** Builds (cached) and pushes the part's images, applies its objects and waits until it serves. */
  install: (bed: StackBed) => Promise<void>;
}

/** The bed started by `make cluster-up REAL_NODE=1`, which must be running. */
export function runningBed(say: (line: string) => void = (line) => { console.error(line); }): StackBed {
  const state = readState();
  const registry = state?.realNode?.registry?.host;
  if (!state || !state.processes.some(isOurProcess) || !registry) {
    throw new TestBedError('no local cluster with a real node is running', {
      fix: "start it with 'make cluster-up REAL_NODE=1'",
    });
  }
  return stackBed({ kubeconfig: state.kubeconfig, registry, say });
}

export function stackBed(options: { kubeconfig: string; registry: string; say: (line: string) => void }): StackBed {
  const kubectlPath = toolPath('kubectl');
  const kubeconfigFlag = `--kubeconfig=${options.kubeconfig}`;
  const kubectl = async (...args: string[]) =>
    (await run(kubectlPath, [kubeconfigFlag, ...args], { maxBuffer: 64 << 20 })).stdout;
  const apply = async (manifests: string) => {
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        kubectlPath,
        [kubeconfigFlag, 'apply', '--server-side', '--force-conflicts', '-f', '-'],
        { maxBuffer: 64 << 20 },
        (error, _stdout, stderr) => {
          if (error) reject(new Error(stderr || error.message));
          else resolve();
        },
      );
      child.stdin?.end(manifests);
    });
  };
  return {
    kubeconfig: options.kubeconfig,
    push: { crane: toolPath('crane'), insecure: true, registry: options.registry },
    kubectl,
    apply,
    say: options.say,
  };
}
