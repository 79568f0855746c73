import { inject, afterAll, beforeAll, expect, vi } from 'vitest';
import path from 'node:path';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import { startFunction, type RunningFunction } from '../support/function-process.ts';
import { sendResourceEvent } from '../support/resource-event.ts';
import { serviceAccountsFor, type ServiceAccountKubeconfigs } from '../support/service-accounts.ts';
import { wiring } from '@mcpg-functions/supply-chain/wiring';
import { startRegistry, type LocalRegistry } from '../../registry/registry.ts';
import {
  cosignKeyPair,
  cosignSign,
  ed25519Pair,
  pluginPackage,
  pushPlugin,
  type CosignKeys,
  type Ed25519Pair,
} from '../../registry/artifacts.ts';
import { startFaultyProxy, type FaultyProxy } from '../../registry/faulty-proxy.ts';
import { startAuthProxy, type AuthProxy } from '../../registry/auth-proxy.ts';
import { keylessAuthority, type KeylessAuthority } from '../../registry/keyless.ts';
import { writeFileSync } from 'node:fs';
import { loopbackRegistries } from '../../registry/operator-access.ts';
import { bundle } from '../../../hack/bundle.ts';

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message?: string;
}
export interface PluginStatus {
  artifact?: string;
  resolvedDigest?: string;
  signatureValid?: boolean;
  cosignVerified?: boolean;
  slsaVerified?: boolean;
  revokedBySha?: boolean;
  conditions?: Condition[];
}

const PULL_CREDENTIALS = { username: 'puller', password: 'pull-secret-password' };

export const MANIFEST_LIMIT = 64 * 1024;

// ApiServerSource adapter sends them (binary CloudEvents naming the object).

/**
 * The supply-chain function's test bed: its own namespace (the operator namespace of the function), two real
 * registries (upstream and a mirror), a blob-corrupting proxy, cosign and Ed25519 keys, and the function process
 * pointed at them. Events are sent as the ApiServerSource adapter sends them (binary CloudEvents naming the object).
 * `bundled` runs the function as deployed (hack/bundle.ts's output, its chunks loaded as passes need them).
 */
export function useSupplyChainBed(prefix: string, options: { bundled?: boolean } = {}) {
  const namespace = useNamespace(prefix);
  const kube = clients();
  const suffix = () => namespace.name.split('-').pop() ?? '';
  let registry: LocalRegistry;
  let mirrorRegistry: LocalRegistry;
  let proxy: FaultyProxy;
  let authProxy: AuthProxy;
  let keyless: KeylessAuthority;
  let fn: RunningFunction;
  let accounts: ServiceAccountKubeconfigs;
  let signer: Ed25519Pair;
  let cosign: CosignKeys;
  let otherCosign: CosignKeys;
  const mirrorHost = () => `mirror.${namespace.name}.svc.cluster.local:5000`;
  const syncedMirrorHost = () => `mirror.${namespace.name}.svc.cluster.local:5002`;

  const pluginPath = (name: string) => `/apis/mcpg.dev/v1alpha2/mcpgplugins/${name}`;
  const readPlugin = (name: string) =>
    kubeRequest<{ status?: PluginStatus }>(kube.config, { method: 'GET', path: pluginPath(name) });
  const condition = (status: PluginStatus | undefined, type: string) =>
    status?.conditions?.find((c) => c.type === type);

  const poke = (kind: string, name: string) => sendResourceEvent(fn.url, { kind, name });

  async function secret(name: string, data: Record<string, string>): Promise<void> {
    await kube.core.createNamespacedSecret({
      namespace: namespace.name,
      body: { metadata: { name }, stringData: data },
    });
  }

  function plugin(
    name: string,
    image: string,
    trust: Record<string, unknown>,
    oci: Record<string, unknown> = {},
  ) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGPlugin',
      metadata: { name },
      spec: {
        pluginId: 'dev.mcpg.test.gate',
        version: '1.0.0',
        pluginClass: 'tool_gate',
        oci: { image, ...oci },
        trust,
      },
    };
  }

  const bothKeys = {
    signingKeyRef: { secretName: 'release-key' },
    cosignKeyRef: { secretName: 'cosign-key' },
  };

  /** Pushes a signed plugin, creates an MCPGPlugin for it, pokes the function and returns the settled status. */
  async function verifyPlugin(
    name: string,
    options: {
      pkg?: ReturnType<typeof pluginPackage>;
      sign?: CosignKeys | false;
      format?: 'classic' | 'bundle';
      trust?: Record<string, unknown>;
      host?: string;
      oci?: Record<string, unknown>;
    } = {},
  ) {
    const pkg = options.pkg ?? pluginPackage({ id: 'dev.mcpg.test.gate', signer });
    const digest = await pushPlugin(`${registry.host}/plugins/${name}:1.0.0`, pkg);
    if (options.sign !== false)
      await cosignSign(`${registry.host}/plugins/${name}@${digest}`, options.sign ?? cosign, options.format);
    const full = `${name}-${suffix()}`;
    await apply(
      kube,
      plugin(
        full,
        `${options.host ?? registry.host}/plugins/${name}:1.0.0@${digest}`,
        options.trust ?? bothKeys,
        options.oci,
      ),
    );
    expect(await poke('MCPGPlugin', full)).toBe(204);
    const status = await vi.waitFor(
      async () => {
        const current = (await readPlugin(full)).status;
        expect(condition(current, 'Ready')).toBeDefined();
        return current ?? {};
      },
      { timeout: 20_000, interval: 200 },
    );
    return { full, digest, pkg, status };
  }

  beforeAll(async () => {
    await installCrds(kube);
    const logDir = path.join(inject('clusterRunDir'), 'logs');
    [registry, mirrorRegistry] = await Promise.all([
      startRegistry({ logDir }),
      startRegistry({ logDir, name: 'mirror-registry' }),
    ]);
    proxy = await startFaultyProxy(registry.url, 'corrupt');
    authProxy = await startAuthProxy(registry.url, PULL_CREDENTIALS);
    const auths = {
      [authProxy.host]: { username: PULL_CREDENTIALS.username, password: PULL_CREDENTIALS.password },
    };
    await secret('pull-secret', { '.dockerconfigjson': JSON.stringify({ auths }) });
    [cosign, otherCosign] = await Promise.all([cosignKeyPair(), cosignKeyPair()]);
    signer = ed25519Pair();
    await secret('release-key', { 'release.pub': signer.publicBase64 });
    await secret('cosign-key', { 'cosign.pub': cosign.publicPem });
    keyless = await keylessAuthority();
    const trustedRoot = path.join(keyless.dir, 'trusted_root.json');
    writeFileSync(trustedRoot, keyless.trustedRootJson);
    // As its own ServiceAccount with only the RBAC its generated manifests grant.
    accounts = await serviceAccountsFor(kube, wiring, namespace.name, inject('clusterRunDir'));
    fn = await startFunction('supply-chain', {
      kubeconfig: accounts.function,
      logDir,
      entry: options.bundled
        ? await bundle('supply-chain', path.join(inject('clusterRunDir'), `supply-chain-${prefix}-dist`))
        : undefined,
      env: {
        // The tests poke the function and read what the pass wrote: each event is answered once its pass is done.
        MCPG_EVENT_HOLD_MS: '110000',
        MCPG_OPERATOR_NAMESPACE: namespace.name,
        MCPG_MANIFEST_MAX_BYTES: String(MANIFEST_LIMIT),
        MCPG_SIGSTORE_TRUSTED_ROOT: trustedRoot,
        MCPG_REGISTRY_ENDPOINTS: JSON.stringify({
          [mirrorHost()]: registry.url,
          [syncedMirrorHost()]: mirrorRegistry.url,
        }),
        ...loopbackRegistries(registry.host, mirrorRegistry.host, proxy.host, authProxy.host),
      },
    });
  }, 90_000);

  afterAll(async () => {
    await fn.stop();
    await accounts.remove();
    await proxy.close();
    await authProxy.close();
    keyless.remove();
    await registry.stop();
    await mirrorRegistry.stop();
    cosign.remove();
    otherCosign.remove();
  });

  return {
    namespace,
    kube,
    suffix,
    mirrorHost,
    syncedMirrorHost,
    readPlugin,
    condition,
    poke,
    secret,
    plugin,
    bothKeys,
    verifyPlugin,
    get registry() {
      return registry;
    },
    get mirrorRegistry() {
      return mirrorRegistry;
    },
    get proxy() {
      return proxy;
    },
    get authProxy() {
      return authProxy;
    },
    get keyless() {
      return keyless;
    },
    get fn() {
      return fn;
    },
    get signer() {
      return signer;
    },
    get cosign() {
      return cosign;
    },
    get otherCosign() {
      return otherCosign;
    },
  };
}
