/**
 * The bed of the registry half of the security suite: the supply-chain function as it runs in a cluster (its
 * own ServiceAccount, the RBAC its manifests grant), a hostile registry and its storage host on loopback that the
 * operator allows, a canary on loopback that nothing may reach, and a real registry with a signed image, so each
 * test can show that a normal object still reconciles while the attack goes on.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject, afterAll, beforeAll, expect, vi } from 'vitest';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { wiring } from '@mcpg-functions/supply-chain/wiring';
import { cosignKeyPair, cosignSign, pushImage, type CosignKeys } from '../../registry/artifacts.ts';
import {
  startCanary,
  startChallengingStorage,
  startHostileRegistry,
  type Canary,
  type HostileRegistry,
  type SeenRequest,
} from '../../registry/hostile-registry.ts';
import { keylessAuthority, type KeylessAuthority } from '../../registry/keyless.ts';
import { loopbackRegistries } from '../../registry/operator-access.ts';
import { startRegistry, type LocalRegistry } from '../../registry/registry.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startFunction, type RunningFunction } from '../support/function-process.ts';
import { sendResourceEvent } from '../support/resource-event.ts';
import { serviceAccountsFor, type ServiceAccountKubeconfigs } from '../support/service-accounts.ts';

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message?: string;
}
interface Judged {
  status?: { conditions?: Condition[]; imageDigest?: string; artifact?: string };
}

export const CREDENTIALS = { username: 'tenant-robot', password: 'tenant-registry-password' };
/** Short, so a registry that drips bytes is cut off within a test; a normal pass here takes a second or so. */
export const PASS_SECONDS = 10;
/** A range outside every private block, declared the cluster's own, so that only the setting refuses it. */
export const CLUSTER_RANGE = '203.0.113.0/24';
export const PLUGIN_MAX_BYTES = 8 * 1024 * 1024;
export const byKey = { cosignKeyRef: { secretName: 'cosign-key' } };

export function useRegistrySecurityBed(prefix: string) {
  const namespace = useNamespace(prefix);
  const kube = clients();
  const suffix = () => namespace.name.split('-').pop() ?? '';
  const parts = {} as {
    canary: Canary;
    hostile: HostileRegistry;
    /** Allowed as private but not marked insecure: spoken to only over TLS, which it does not speak. */
    tlsOnly: HostileRegistry;
    storage: { host: string; seen: SeenRequest[]; close: () => Promise<void> };
    registry: LocalRegistry;
    cosign: CosignKeys;
    keyless: KeylessAuthority;
    fn: RunningFunction;
    accounts: ServiceAccountKubeconfigs;
  };

  const serverPath = (name: string) =>
    `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers/${name}`;
  const pluginPath = (name: string) => `/apis/mcpg.dev/v1alpha2/mcpgplugins/${name}`;

  /** A CloudEvent as the ApiServerSource adapter sends it; resolves with the function's HTTP status. */
  const poke = (kind: 'MCPGServer' | 'MCPGPlugin', name: string) =>
    sendResourceEvent(parts.fn.url, {
      kind,
      name,
      namespace: kind === 'MCPGServer' ? namespace.name : undefined,
    });

  const conditionOf = (object: Judged, type: string) =>
    object.status?.conditions?.find((c) => c.type === type);

  /** Applies a tenant's MCPGServer, pokes the function and returns its ImageVerified condition once set. */
  async function judgeServer(name: string, spec: Record<string, unknown>): Promise<Condition> {
    await apply(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name, namespace: namespace.name },
      spec: { verify: byKey, ...spec },
    });
    expect(await poke('MCPGServer', name)).toBe(204);
    return vi.waitFor(
      async () => {
        const found = conditionOf(
          await kubeRequest<Judged>(kube.config, { method: 'GET', path: serverPath(name) }),
          'ImageVerified',
        );
        expect(found).toBeDefined();
        return found as Condition;
      },
      { timeout: 20_000, interval: 200 },
    );
  }

  /** Applies an MCPGPlugin, pokes the function and returns its Pulled condition once set. */
  async function judgePlugin(
    name: string,
    oci: Record<string, unknown>,
    trust: Record<string, unknown> = byKey,
  ) {
    const full = `${name}-${suffix()}`;
    await apply(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPlugin',
      metadata: { name: full },
      spec: { pluginId: 'dev.mcpg.test.gate', version: '1.0.0', pluginClass: 'tool_gate', oci, trust },
    });
    expect(await poke('MCPGPlugin', full)).toBe(204);
    return vi.waitFor(
      async () => {
        const plugin = await kubeRequest<Judged>(kube.config, { method: 'GET', path: pluginPath(full) });
        expect(conditionOf(plugin, 'Ready')).toBeDefined();
        return { pulled: conditionOf(plugin, 'Pulled') as Condition, plugin };
      },
      { timeout: 20_000, interval: 200 },
    );
  }

  /** An image in the real registry, signed with the key the servers' policy trusts. */
  async function signedImage(name: string): Promise<string> {
    const digest = await pushImage(`${parts.registry.host}/servers/${name}:1`, name);
    const image = `${parts.registry.host}/servers/${name}@${digest}`;
    await cosignSign(image, parts.cosign);
    return image;
  }

  /** A server with a signed image, verified by the function: the proof it still does its job. */
  async function normalServerVerifies(name: string, image?: string): Promise<void> {
    expect(await judgeServer(name, { image: image ?? (await signedImage(name)) })).toMatchObject({
      status: 'True',
      reason: 'Verified',
    });
  }

  async function secret(name: string, data: Record<string, string>): Promise<void> {
    await kube.core.createNamespacedSecret({
      namespace: namespace.name,
      body: { metadata: { name }, stringData: data },
    });
  }

  const dockerConfig = (host: string) =>
    JSON.stringify({ auths: { [host]: { username: CREDENTIALS.username, password: CREDENTIALS.password } } });

  beforeAll(async () => {
    await installCrds(kube);
    const logDir = path.join(inject('clusterRunDir'), 'logs');
    parts.canary = await startCanary();
    parts.storage = await startChallengingStorage();
    parts.hostile = await startHostileRegistry(parts.canary.host, parts.storage.host);
    parts.tlsOnly = await startHostileRegistry(parts.canary.host);
    [parts.registry, parts.cosign, parts.keyless] = await Promise.all([
      startRegistry({ logDir, name: 'security-registry' }),
      cosignKeyPair(),
      keylessAuthority(),
    ]);
    await secret('cosign-key', { 'cosign.pub': parts.cosign.publicPem });
    await secret('exact-pull-secret', { '.dockerconfigjson': dockerConfig(parts.hostile.host) });
    // The registry's host with one more digit: a key the registry's name is only a prefix of.
    await secret('prefix-pull-secret', { '.dockerconfigjson': dockerConfig(`${parts.hostile.host}0`) });
    const trustedRoot = path.join(parts.keyless.dir, 'trusted_root.json');
    writeFileSync(trustedRoot, parts.keyless.trustedRootJson);
    parts.accounts = await serviceAccountsFor(kube, wiring, namespace.name, inject('clusterRunDir'));
    parts.fn = await startFunction('supply-chain', {
      kubeconfig: parts.accounts.function,
      logDir,
      env: {
        MCPG_OPERATOR_NAMESPACE: namespace.name,
        MCPG_SIGSTORE_TRUSTED_ROOT: trustedRoot,
        MCPG_PASS_TIMEOUT_SECONDS: String(PASS_SECONDS),
        MCPG_PLUGIN_MAX_BYTES: String(PLUGIN_MAX_BYTES),
        MCPG_CLUSTER_CIDRS: CLUSTER_RANGE,
        ...loopbackRegistries(parts.registry.host, parts.hostile.host, parts.storage.host),
        MCPG_REGISTRY_PRIVATE_HOSTS: [parts.registry, parts.hostile, parts.storage, parts.tlsOnly]
          .map((p) => p.host)
          .join(','),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await parts.fn.stop();
    await parts.accounts.remove();
    await parts.hostile.close();
    await parts.tlsOnly.close();
    await parts.storage.close();
    await parts.canary.close();
    await parts.registry.stop();
    parts.cosign.remove();
    parts.keyless.remove();
  });

  return {
    namespace,
    kube,
    suffix,
    parts,
    poke,
    judgeServer,
    judgePlugin,
    signedImage,
    normalServerVerifies,
  };
}

/** What a tenant-readable message must never carry: errno codes, or how the function's network is laid out. */
export const INTERNAL_DETAIL = /\b(E[A-Z]{4,}|UND_ERR\w*|errno)\b|https?:\/\/127\.0\.0\.1/;
