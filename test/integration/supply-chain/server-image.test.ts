import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sendPing } from '../../cluster/ping.ts';
import { toolPath } from '../../cluster/tools.ts';
import {
  cosignKeyPair,
  cosignSign,
  pushImage,
  pushIndex,
  pushProcessImage,
  type CosignKeys,
} from '../../registry/artifacts.ts';
import { startFaultyProxy, type FaultyProxy } from '../../registry/faulty-proxy.ts';
import {
  keylessAuthority,
  keylessBundle,
  keylessSignature,
  leafCertificate,
  pushBundleReferrer,
  pushKeylessSignature,
  withTamperedProof,
  type KeylessAuthority,
} from '../../registry/keyless.ts';
import { loopbackRegistries } from '../../registry/operator-access.ts';
import { startRegistry, type LocalRegistry } from '../../registry/registry.ts';
import { clients, useNamespace } from '../support/cluster.ts';
import { apply, installCrds } from '../support/crds.ts';
import type { FunctionUnderTest } from '../support/event-source.ts';
import { startServerImageFunctions } from '../support/server-image-functions.ts';

const run = promisify(execFile);

interface Condition {
  type: string;
  status: string;
  reason: string;
  message?: string;
}
interface Server {
  status?: {
    phase?: string;
    imageDigest?: string;
    imageVerification?: { image: string; verified: boolean; reason: string };
    imageConfig?: { image: string; digest?: string; reason: string };
    conditions?: Condition[];
  };
}

const crane = (args: string[]) => run(toolPath('crane'), ['--insecure', ...args]);

const SUBJECT = 'https://github.com/mcpg-dev/tools/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

// MCPGServer image trust as it runs in a cluster: the supply-chain function checks each server's image against
// its verify policy in a real registry (images pushed with crane, signed with cosign or a local keyless CA) and
// the server function rolls out only what passed, keeping the running Deployment when a new image does not.
// Both run as processes fed by Knative's real ApiServerSource adapter; the test sends no event, only a resync.
describe('MCPGServer image trust, driven by the real event source', () => {
  const namespace = useNamespace('image-trust');
  const kube = clients();
  const runLabel = { 'mcpg.dev/test-run': randomBytes(4).toString('hex') };
  const started: (() => unknown)[] = [];
  let registry: LocalRegistry;
  let mirror: LocalRegistry;
  let proxy: FaultyProxy;
  let cosign: CosignKeys;
  let otherCosign: CosignKeys;
  let authority: KeylessAuthority;
  let supplyChain: FunctionUnderTest;

  const serverPath = (name: string) =>
    `/apis/mcpg.dev/v1alpha2/namespaces/${namespace.name}/mcpgservers/${name}`;
  const readServer = (name: string) =>
    kubeRequest<Server>(kube.config, { method: 'GET', path: serverPath(name) });
  const condition = (server: Server, type: string) => server.status?.conditions?.find((c) => c.type === type);
  const serverContainer = async (name: string) => {
    const found = await kube.apps
      .readNamespacedDeployment({ name, namespace: namespace.name })
      .catch((error: unknown) => {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      });
    return found?.spec?.template.spec?.containers[0];
  };
  const deploymentImage = async (name: string) => (await serverContainer(name))?.image;
  const eventually = <T>(check: () => Promise<T>, timeout = 30_000) =>
    vi.waitFor(check, { timeout, interval: 250 });

  function server(name: string, image: string, verify?: Record<string, unknown>, more = {}) {
    return {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGServer',
      metadata: { name, namespace: namespace.name },
      spec: { image, ...(verify ? { verify } : {}), ...more },
    };
  }
  const byKey = { cosignKeyRef: { secretName: 'cosign-key' } };
  const byIdentity = (issuer = ISSUER) => ({
    cosignIdentity: { certificateIdentityRegexp: '^https://github\\.com/mcpg-dev/.*$', oidcIssuer: issuer },
  });

  /** Waits until the supply chain has judged `image` for the server, and returns the server then. */
  const judged = (name: string, image: string) =>
    eventually(async () => {
      const current = await readServer(name);
      expect(current.status?.imageVerification?.image).toBe(image);
      expect(condition(current, 'Ready')).toBeDefined();
      return current;
    });

  async function signedImage(repository: string, version: string, keys: CosignKeys | undefined) {
    const digest = await pushImage(`${registry.host}/${repository}:${version}`, version);
    const image = `${registry.host}/${repository}@${digest}`;
    if (keys) await cosignSign(image, keys);
    return { digest, image };
  }

  beforeAll(async () => {
    await installCrds(kube);
    [registry, mirror, cosign, otherCosign, authority] = await Promise.all([
      startRegistry(),
      startRegistry({ name: 'mirror-registry' }),
      cosignKeyPair(),
      cosignKeyPair(),
      keylessAuthority(),
    ]);
    started.push(
      () => registry.stop(),
      () => mirror.stop(),
      () => {
        cosign.remove();
        otherCosign.remove();
        authority.remove();
      },
    );
    proxy = await startFaultyProxy(registry.url, 'corrupt');
    started.push(() => proxy.close());
    await kube.core.createNamespacedSecret({
      namespace: namespace.name,
      body: { metadata: { name: 'cosign-key' }, stringData: { 'cosign.pub': cosign.publicPem } },
    });
    const trustedRoot = path.join(authority.dir, 'trusted_root.json');
    writeFileSync(trustedRoot, authority.trustedRootJson);
    const functions = await startServerImageFunctions({
      clients: kube,
      namespace: namespace.name,
      clusterScopedLabels: runLabel,
      supplyChainEnv: {
        MCPG_SIGSTORE_TRUSTED_ROOT: trustedRoot,
        ...loopbackRegistries(registry.host, mirror.host, proxy.host),
      },
    });
    supplyChain = functions.supplyChain;
    started.push(() => functions.stop());
  }, 180_000);

  afterAll(async () => {
    for (const stop of started.reverse()) await stop();
  });

  it('runs a signed image once it is verified, keeps it when the next one is unsigned, and rolls that out once signed', async () => {
    const first = await signedImage('servers/tools', '1.0.0', cosign);
    await apply(kube, server('tools', first.image, byKey));
    const running = await eventually(async () => {
      const current = await readServer('tools');
      expect(current.status?.phase).toBe('Running');
      return current;
    });
    expect(condition(running, 'ImageVerified')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(running.status?.imageDigest).toBe(first.digest);
    expect(await deploymentImage('tools')).toBe(first.image);

    const next = await signedImage('servers/tools', '1.1.0', undefined);
    await apply(kube, server('tools', next.image, byKey));
    const held = await judged('tools', next.image);
    expect(condition(held, 'ImageVerified')).toMatchObject({ status: 'False', reason: 'SignatureMissing' });
    await eventually(async () => {
      const current = await readServer('tools');
      expect(condition(current, 'Ready')).toMatchObject({ status: 'False', reason: 'ImageNotVerified' });
      expect(condition(current, 'Ready')?.message).toMatch(
        /no cosign signature for sha256:.*the running Deployment is kept/,
      );
      expect(current.status?.phase).toBe('Degraded');
      expect(current.status?.imageDigest).toBeUndefined();
    });
    expect(await deploymentImage('tools')).toBe(first.image);

    // Signing makes no Kubernetes event: the resync finds the signature.
    await cosignSign(next.image, cosign);
    expect((await sendPing(supplyChain.fn.url)).status).toBe(204);
    await eventually(async () => {
      expect(await deploymentImage('tools')).toBe(next.image);
      const current = await readServer('tools');
      expect(condition(current, 'ImageVerified')).toMatchObject({ status: 'True' });
      expect(current.status?.phase).toBe('Running');
    });
  });

  it('blocks a running image at once when a revocation list names its digest, and lets it be when the list goes', async () => {
    const release = await signedImage('servers/revoked', '2.0.0', cosign);
    await apply(kube, server('revoked', release.image, byKey));
    await eventually(async () => {
      expect(await deploymentImage('revoked')).toBe(release.image);
    });
    const listPath = `/apis/mcpg.dev/v1alpha2/mcpgrevocationlists/image-${runLabel['mcpg.dev/test-run']}`;
    await apply(kube, {
      apiVersion: 'mcpg.dev/v1alpha2',
      kind: 'MCPGRevocationList',
      metadata: { name: `image-${runLabel['mcpg.dev/test-run']}`, labels: runLabel },
      spec: { revocations: [{ ociDigest: release.digest, reason: 'compromised build' }] },
    });
    await eventually(async () => {
      const current = await readServer('revoked');
      expect(condition(current, 'ImageVerified')).toMatchObject({ status: 'False', reason: 'DigestRevoked' });
      expect(condition(current, 'Ready')).toMatchObject({ status: 'False', reason: 'ImageNotVerified' });
    });
    // Fail-static: the pods already running are not taken away.
    expect(await deploymentImage('revoked')).toBe(release.image);
    expect(
      await supplyChain.fn.metric('mcpg_supply_chain_checks_total', {
        subject: 'image',
        outcome: 'revoked',
        reason: 'DigestRevoked',
      }),
    ).toBeGreaterThan(0);
    await kubeRequest(kube.config, { method: 'DELETE', path: listPath });
    await eventually(async () => {
      const current = await readServer('revoked');
      expect(condition(current, 'ImageVerified')).toMatchObject({ status: 'True', reason: 'Verified' });
      expect(condition(current, 'Ready')).toMatchObject({ status: 'True' });
    });
  });

  it('verifies keyless signatures against the trusted root and the identity, issuer included', async () => {
    const { digest, image } = await signedImage('servers/keyless', '3.0.0', undefined);
    const leaf = await leafCertificate(authority, { subject: SUBJECT, issuer: ISSUER });
    await pushKeylessSignature({ host: registry.host, repository: 'servers/keyless', digest }, [
      keylessSignature({ host: registry.host, repository: 'servers/keyless', digest }, leaf, authority),
    ]);
    await apply(kube, server('keyless', image, byIdentity()));
    await eventually(async () => {
      expect(await deploymentImage('keyless')).toBe(image);
    });
    await apply(kube, server('keyless-elsewhere', image, byIdentity('https://accounts.example')));
    const refused = await judged('keyless-elsewhere', image);
    expect(condition(refused, 'ImageVerified')).toMatchObject({
      status: 'False',
      reason: 'SignatureInvalid',
    });
    expect(condition(refused, 'ImageVerified')?.message).toMatch(
      /issued by .*, not https:\/\/accounts\.example/,
    );
  });

  it('deploys an image whose keyless bundle proves its log inclusion, never one whose proof was tampered with', async () => {
    const leaf = await leafCertificate(authority, { subject: SUBJECT, issuer: ISSUER });
    const bundled = async (repository: string, tamper = (bundle: Record<string, unknown>) => bundle) => {
      const { digest, image } = await signedImage(repository, '5.0.0', undefined);
      await pushBundleReferrer(
        registry.url,
        repository,
        digest,
        tamper(keylessBundle(digest, leaf, authority)),
      );
      return image;
    };
    const proven = await bundled('servers/proven');
    const forged = await bundled('servers/forged', withTamperedProof);
    await apply(kube, server('proven', proven, byIdentity()));
    await apply(kube, server('forged', forged, byIdentity()));
    await eventually(async () => {
      expect(await deploymentImage('proven')).toBe(proven);
    });
    const refused = await judged('forged', forged);
    expect(condition(refused, 'ImageVerified')).toMatchObject({
      status: 'False',
      reason: 'SignatureInvalid',
    });
    expect(condition(refused, 'ImageVerified')?.message).toMatch(
      /inclusion proof does not lead to the root hash it names/,
    );
    expect(await deploymentImage('forged')).toBeUndefined();
  });

  it('verifies at the registry override alone: an air-gapped mirror holding the image and its signature', async () => {
    const { digest } = await signedImage('servers/airgap', '4.0.0', cosign);
    const signatureTag = `${digest.replace(':', '-')}.sig`;
    for (const ref of [`@${digest}`, `:${signatureTag}`])
      await crane(['copy', `${registry.host}/servers/airgap${ref}`, `${mirror.host}/servers/airgap${ref}`]);
    // The registry spec.image names is not reachable at all; pods and the check both go to the override.
    const upstream = `127.0.0.1:9/servers/airgap@${digest}`;
    await apply(kube, server('airgap', upstream, byKey, { registryOverride: mirror.host }));
    await eventually(async () => {
      const current = await readServer('airgap');
      expect(condition(current, 'ImageVerified')).toMatchObject({ status: 'True', reason: 'Verified' });
      expect(await deploymentImage('airgap')).toBe(`${mirror.host}/servers/airgap@${digest}`);
    });
  });

  it.each([
    {
      name: 'stranger',
      why: 'signed by a key the policy does not trust',
      setup: async () => ({
        image: (await signedImage('servers/stranger', '1.0.0', otherCosign)).image,
        more: {},
      }),
      reason: 'SignatureInvalid',
      message: /0\/1 cosign signatures verified: the signature does not verify with the cosign key/,
    },
    {
      name: 'tampered',
      why: 'served by a registry returning wrong bytes (the registry override)',
      setup: async () => ({
        image: (await signedImage('servers/tampered', '1.0.0', cosign)).image,
        more: { registryOverride: proxy.host },
      }),
      reason: 'DigestMismatch',
      message: /sha256/,
    },
    {
      name: 'private',
      why: 'its pull secret does not exist',
      setup: async () => ({
        image: (await signedImage('servers/private', '1.0.0', cosign)).image,
        more: { imagePullSecrets: [{ name: 'absent' }] },
      }),
      reason: 'CredentialsUnavailable',
      message: /spec.imagePullSecrets: Secret .*\/absent does not exist/,
    },
  ])('never creates a Deployment for an image $why', async ({ name, setup, reason, message }) => {
    const { image, more } = await setup();
    await apply(kube, server(name, image, byKey, more));
    const refused = await judged(name, image);
    expect(condition(refused, 'ImageVerified')).toMatchObject({ status: 'False', reason });
    expect(condition(refused, 'ImageVerified')?.message).toMatch(message);
    await eventually(async () => {
      const current = await readServer(name);
      expect(current.status?.phase).toBe('Pending');
      expect(condition(current, 'Ready')?.message).toMatch(/no Deployment is created until the image passes/);
    });
    expect(await deploymentImage(name)).toBeUndefined();
  });

  it('says so when the registry takes the connection and never answers, rolls nothing out, and runs the image once it answers again', async () => {
    const { image } = await signedImage('servers/stalled', '1.0.0', cosign);
    proxy.fault = 'hang';
    try {
      await apply(kube, server('stalled', image, byKey, { registryOverride: proxy.host }));
      const refused = await eventually(async () => {
        const current = await readServer('stalled');
        expect(condition(current, 'ImageVerified')?.message).toMatch(/did not answer in time/);
        return current;
      }, 120_000);
      expect(condition(refused, 'ImageVerified')?.status).not.toBe('True');
      expect(await deploymentImage('stalled')).toBeUndefined();
      proxy.fault = 'none';
      expect((await sendPing(supplyChain.fn.url)).status).toBe(204);
      await eventually(async () => {
        expect(condition(await readServer('stalled'), 'ImageVerified')).toMatchObject({ status: 'True' });
        expect(await deploymentImage('stalled')).toMatch(/\/servers\/stalled@sha256:/);
      }, 60_000);
    } finally {
      proxy.fault = 'corrupt';
    }
    // The registry client waits 30 s for an answer before it gives up.
  }, 240_000);

  // A stdio server given only its image: the bridge runs the image's own Entrypoint and Cmd, read from its config
  // in the registry, and the pods are pinned to the digest they were read from.
  const BRIDGE = ['/mcpg-bridge/mcpg-stdio-bridge', '--port', '8080', '--path', '/mcp', '--'];
  const stdio = (name: string, image: string, more = {}) =>
    server(name, image, undefined, { transport: 'stdio', ...more });

  it("runs a stdio image's own entrypoint behind the bridge, and follows its tag to the next one", async () => {
    const tag = `${registry.host}/servers/fs:1`;
    const first = await pushProcessImage(tag, { entrypoint: ['/usr/bin/fs-mcp', '--stdio'], cmd: ['/data'] });
    await apply(kube, stdio('fs', tag));
    await eventually(async () => {
      const container = await serverContainer('fs');
      expect(container?.image).toBe(`${tag}@${first}`);
      expect(container?.command).toEqual([...BRIDGE, '/usr/bin/fs-mcp', '--stdio', '/data']);
      expect((await readServer('fs')).status?.imageConfig).toMatchObject({ digest: first, reason: 'Read' });
    });
    // spec.args replace the image's Cmd, as Kubernetes does for an image run without command.
    await apply(kube, stdio('fs', tag, { args: ['/srv', '--read-only'] }));
    await eventually(async () => {
      expect((await serverContainer('fs'))?.command).toEqual([
        ...BRIDGE,
        '/usr/bin/fs-mcp',
        '--stdio',
        '/srv',
        '--read-only',
      ]);
    });
    // The tag moves to an image with another entrypoint: the resync reads it again and rolls it out.
    const second = await pushProcessImage(tag, { entrypoint: ['/opt/fs/bin/serve'] });
    expect((await sendPing(supplyChain.fn.url)).status).toBe(204);
    await eventually(async () => {
      const container = await serverContainer('fs');
      expect(container?.image).toBe(`${tag}@${second}`);
      expect(container?.command).toEqual([...BRIDGE, '/opt/fs/bin/serve', '/srv', '--read-only']);
    });
  });

  it('holds back a stdio image it cannot run as it is, saying to set spec.command', async () => {
    const amd64 = await pushProcessImage(`${registry.host}/servers/split:amd64`, {
      entrypoint: ['/bin/serve-amd64'],
      platform: 'linux/amd64',
    });
    const arm64 = await pushProcessImage(`${registry.host}/servers/split:arm64`, {
      entrypoint: ['/bin/serve-arm64'],
      platform: 'linux/arm64',
    });
    const index = `${registry.host}/servers/split:multi`;
    await pushIndex(index, [
      `${registry.host}/servers/split@${amd64}`,
      `${registry.host}/servers/split@${arm64}`,
    ]);
    const bare = `${registry.host}/servers/bare:1`;
    await pushImage(bare, 'nothing to run');
    await apply(kube, stdio('split', index));
    await apply(kube, stdio('bare', bare));
    for (const [name, message] of [
      ['split', /have different Entrypoint or Cmd; set spec.command/],
      ['bare', /has neither Entrypoint nor Cmd in its config: set spec.command/],
    ] as const)
      await eventually(async () => {
        const current = await readServer(name);
        expect(condition(current, 'Ready')).toMatchObject({
          status: 'False',
          reason: 'ImageEntrypointUnknown',
        });
        expect(condition(current, 'Ready')?.message).toMatch(message);
        expect(current.status?.phase).toBe('Pending');
      });
    expect(await deploymentImage('split')).toBeUndefined();
    // Given a command, the same image runs: the user's word wins over the image's.
    await apply(kube, stdio('split', index, { command: ['/bin/serve'] }));
    await eventually(async () => {
      expect((await serverContainer('split'))?.command).toEqual([...BRIDGE, '/bin/serve']);
    });
  });
});
