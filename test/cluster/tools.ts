import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TestBedError } from './errors.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export type ToolName =
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'kwok'
  | 'apiserver_receive_adapter'
  | 'helm'
  | 'crane'
  | 'cosign'
  | 'kube-state-metrics'
  | 'promtool'
  | 'kubelet'
  | 'kube-proxy'
  | 'containerd'
  | 'containerd-shim-runc-v2'
  | 'ctr'
  | 'coredns';

/** Where the Go-built binaries live: `MCPG_TOOLS_BIN` (set by the Makefile) or the cache the build script prints. */
export function toolsBinDir(): string {
  const fromEnv = process.env.MCPG_TOOLS_BIN;
  if (fromEnv) return fromEnv;
  return execFileSync('bash', [path.join(REPO_ROOT, 'hack/build-tools.sh'), '--print'], {
    encoding: 'utf8',
  }).trim();
}

/** The path of one built tool; a missing binary stops with the command that builds it. */
export function toolPath(name: ToolName, binDir = toolsBinDir()): string {
  const file = path.join(binDir, name);
  if (!existsSync(file)) {
    throw new TestBedError(`${name} is not built (looked for ${file})`, {
      fix: "run 'make setup' to build the test bed's binaries into the cache",
    });
  }
  return file;
}

/** kwok's stage definitions, extracted from the kwok module by the build script. */
export function kwokStagesPath(binDir = toolsBinDir()): string {
  const file = path.join(binDir, '..', 'share', 'kwok-stages.yaml');
  if (!existsSync(file)) {
    throw new TestBedError(`kwok's stage file is missing (looked for ${file})`, {
      fix: "run 'make setup' to extract it from the kwok module",
    });
  }
  return file;
}
