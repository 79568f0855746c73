/**
 * A fleet of MCPGServers in one namespace and the checks every fault scenario ends with: each server at its
 * last spec (status for its generation, a Deployment with its replicas, a Service), and no child twice or
 * without its server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { pool } from '../cluster/script.ts';
import { applyWith } from '../integration/support/crds.ts';

interface Listed {
  items: {
    metadata: { name: string; generation?: number; ownerReferences?: { kind: string; name: string }[] };
    spec?: { replicas?: number };
    status?: { observedGeneration?: number };
  }[];
}

export class Fleet {
  /** The replicas each server should end with. */
  readonly wanted = new Map<string, number>();
  /** The spec every server gets besides its replicas. */
  spec: Record<string, unknown> = { image: 'ghcr.io/example/tools:1', networkPolicy: { enabled: false } };
  private readonly kube: KubeConfig;
  readonly namespace: string;

  constructor(kube: KubeConfig, namespace: string) {
    this.kube = kube;
    this.namespace = namespace;
  }

  /** Creates or changes servers (in parallel, as a burst). */
  async apply(names: string[], replicas: number): Promise<void> {
    await pool(names, 16, async (name) => {
      await applyWith(this.kube, {
        apiVersion: 'mcpg.dev/v1alpha2',
        kind: 'MCPGServer',
        metadata: { name, namespace: this.namespace },
        spec: { ...this.spec, replicas },
      });
      this.wanted.set(name, replicas);
    });
  }

  async remove(names: string[]): Promise<void> {
    for (const name of names) {
      await kubeRequest(this.kube, {
        method: 'DELETE',
        path: `${this.base('mcpg.dev/v1alpha2', 'mcpgservers')}/${name}`,
      });
      this.wanted.delete(name);
    }
  }

  private base(apiVersion: string, plural: string): string {
    const group = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return `${group}/namespaces/${this.namespace}/${plural}`;
  }

  private list(apiVersion: string, plural: string): Promise<Listed> {
    return kubeRequest<Listed>(this.kube, { method: 'GET', path: this.base(apiVersion, plural) });
  }

  /** What is not yet as it should be; empty when converged. */
  async problems(): Promise<string[]> {
    const [servers, deployments, services] = await Promise.all([
      this.list('mcpg.dev/v1alpha2', 'mcpgservers'),
      this.list('apps/v1', 'deployments'),
      this.list('v1', 'services'),
    ]);
    const problems = [...this.wanted].flatMap(([name, replicas]) => {
      const server = servers.items.find((s) => s.metadata.name === name);
      const deployment = deployments.items.find((d) => d.metadata.name === name);
      return [
        server?.status?.observedGeneration === server?.metadata.generation ? '' : `${name}: status is stale`,
        deployment?.spec?.replicas === replicas ? '' : `${name}: Deployment not at ${replicas}`,
        services.items.some((s) => s.metadata.name === name) ? '' : `${name}: no Service`,
      ].filter(Boolean);
    });
    return [...problems, ...this.orphans([...deployments.items, ...services.items])];
  }

  /** Children whose server is gone (the garbage collector should have removed them). */
  private orphans(children: Listed['items']): string[] {
    return children
      .filter((child) => {
        const owner = child.metadata.ownerReferences?.find((r) => r.kind === 'MCPGServer')?.name;
        return owner !== undefined && !this.wanted.has(owner);
      })
      .map((child) => `${child.metadata.name}: orphaned (its server is gone)`);
  }

  /** Polls until converged (poking with `resync` every few seconds, as a PingSource would); seconds taken. */
  async converge(options: {
    timeoutMs: number;
    resync?: () => Promise<unknown>;
  }): Promise<{ seconds: number; problems: string[] }> {
    const started = performance.now();
    let problems: string[] = [];
    let lastPoke = 0;
    while (performance.now() - started < options.timeoutMs) {
      problems = await this.problems();
      if (problems.length === 0) break;
      if (options.resync && performance.now() - lastPoke > 5_000) {
        lastPoke = performance.now();
        await options.resync();
      }
      await sleep(250);
    }
    return { seconds: Number(((performance.now() - started) / 1000).toFixed(1)), problems };
  }
}
