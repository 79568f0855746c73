import { describe, expect, it } from 'vitest';
import { kubeRequest } from '@mcpg-functions/shared/kube';
import { apply } from '../support/crds.ts';
import { cosignSign, cosignSignClassic, pluginPackage, pushPlugin } from '../../registry/artifacts.ts';
import { useSupplyChainBed, type Condition } from './bed.ts';

// MCPGPluginMirror: reachability by a real /v2/ probe, verify-then-mirror into a second real registry, and
// plugins that name a mirror pulled only from it.
describe('the supply-chain function with mirrors', () => {
  const bed = useSupplyChainBed('mirror');
  const { kube, namespace, suffix, readPlugin, condition, poke, plugin, bothKeys, verifyPlugin } = bed;
  const { mirrorHost, syncedMirrorHost } = bed;

  const mirror = (name: string, port: number) => ({
    apiVersion: 'mcpg.dev/v1alpha2',
    kind: 'MCPGPluginMirror',
    metadata: { name },
    spec: {
      endpoint: { service: { namespace: namespace.name, name: 'mirror', port }, insecure: true },
      upstream: { registry: 'ghcr.io', namespace: 'mcpg-dev' },
    },
  });
  const readMirror = (name: string) =>
    kubeRequest<{ status?: { reachable?: boolean; endpointHost?: string; conditions?: Condition[] } }>(
      kube.config,
      {
        method: 'GET',
        path: `/apis/mcpg.dev/v1alpha2/mcpgpluginmirrors/${name}`,
      },
    );

  it('reports a mirror reachable only when its registry answers GET /v2/', async () => {
    const up = `up-${suffix()}`;
    const down = `down-${suffix()}`;
    await apply(kube, mirror(up, 5000));
    await apply(kube, mirror(down, 5001));
    expect(await poke('MCPGPluginMirror', up)).toBe(204);
    expect(await poke('MCPGPluginMirror', down)).toBe(204);
    const reachable = (await readMirror(up)).status;
    expect(reachable).toMatchObject({ reachable: true, endpointHost: mirrorHost() });
    expect(reachable?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Reachable',
    });
    const unreachable = (await readMirror(down)).status;
    expect(unreachable?.reachable).toBe(false);
    expect(unreachable?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Unreachable',
    });
  });

  it('pulls a mirrored plugin and its cosign signature from the mirror, never from upstream', async () => {
    const name = `via-${suffix()}`;
    await apply(kube, mirror(name, 5000));
    const pkg = pluginPackage({ id: 'dev.mcpg.test.gate', signer: bed.signer });
    // Only the mirror holds the artifact; ghcr.io is not reachable from the test bed at all.
    const digest = await pushPlugin(`${bed.registry.host}/mcpg-dev/plugins/mirrored:1.0.0`, pkg);
    await cosignSignClassic(`${bed.registry.host}/mcpg-dev/plugins/mirrored@${digest}`, bed.cosign);
    const full = `mirrored-${suffix()}`;
    await apply(
      kube,
      plugin(full, `ghcr.io/mcpg-dev/plugins/mirrored:1.0.0@${digest}`, bothKeys, { mirrorRef: { name } }),
    );
    expect(await poke('MCPGPlugin', full)).toBe(204);
    const status = (await readPlugin(full)).status;
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(status?.artifact).toBe(`${mirrorHost()}/mcpg-dev/plugins/mirrored@${digest}`);
    expect(status?.cosignVerified).toBe(true);

    const down = `down-pull-${suffix()}`;
    await apply(kube, mirror(down, 5001));
    const unreachable = `unreachable-${suffix()}`;
    await apply(
      kube,
      plugin(unreachable, `ghcr.io/mcpg-dev/plugins/mirrored:1.0.0@${digest}`, bothKeys, {
        mirrorRef: { name: down },
      }),
    );
    expect(await poke('MCPGPlugin', unreachable)).toBe(204);
    const failed = (await readPlugin(unreachable)).status;
    expect(condition(failed, 'Pulled')).toMatchObject({ status: 'False', reason: 'PullFailed' });
    expect(condition(failed, 'Pulled')?.message).toContain(`mirror.${namespace.name}.svc.cluster.local:5001`);
    expect(failed?.artifact).toBeUndefined();
  });

  it('verifies upstream, then mirrors the artifact with its classic and bundle signatures; refuses to mirror what does not verify', async () => {
    const name = `sync-${suffix()}`;
    await apply(kube, {
      ...mirror(name, 5002),
      spec: { ...mirror(name, 5002).spec, upstream: { registry: bed.registry.host, namespace: 'mcpg-dev' } },
    });
    const pkg = pluginPackage({ id: 'dev.mcpg.test.gate', signer: bed.signer });
    const digest = await pushPlugin(`${bed.registry.host}/mcpg-dev/plugins/synced:1.0.0`, pkg);
    await cosignSign(`${bed.registry.host}/mcpg-dev/plugins/synced@${digest}`, bed.cosign, 'classic');
    await cosignSign(`${bed.registry.host}/mcpg-dev/plugins/synced@${digest}`, bed.cosign, 'bundle');
    const bad = pluginPackage({ id: 'dev.mcpg.test.gate', signer: bed.signer });
    const badDigest = await pushPlugin(`${bed.registry.host}/mcpg-dev/plugins/unsigned:1.0.0`, bad);
    const good = `synced-${suffix()}`;
    const refused = `unsigned-${suffix()}`;
    const via = { mirrorRef: { name } };
    await apply(
      kube,
      plugin(good, `${bed.registry.host}/mcpg-dev/plugins/synced:1.0.0@${digest}`, bothKeys, via),
    );
    await apply(
      kube,
      plugin(refused, `${bed.registry.host}/mcpg-dev/plugins/unsigned:1.0.0@${badDigest}`, bothKeys, via),
    );

    expect(await poke('MCPGPluginMirror', name)).toBe(204);
    const synced = (await readMirror(name)).status?.conditions?.find((c) => c.type === 'Synced');
    expect(synced).toMatchObject({ status: 'False', reason: 'NotMirrored' });
    expect(synced?.message).toMatch(
      new RegExp(
        `1 of 2 plugin\\(s\\) not mirrored: ${refused}: not verified upstream: no cosign signature for sha256:`,
      ),
    );
    const tags = (await (
      await fetch(`${bed.mirrorRegistry.url}/v2/mcpg-dev/plugins/synced/tags/list`)
    ).json()) as { tags: string[] };
    const hex = digest.slice(7);
    expect(tags.tags.sort()).toEqual(['1.0.0', `sha256-${hex}`, `sha256-${hex}.sig`]);
    expect((await fetch(`${bed.mirrorRegistry.url}/v2/mcpg-dev/plugins/unsigned/tags/list`)).status).toBe(
      404,
    );

    // The mirror's pass above also ran the plugin's, which found nothing mirrored yet and now backs off: its own
    // events wait, and the mirror's next event (its status write, as the event source would send it) is what
    // brings it back.
    expect(await poke('MCPGPluginMirror', name)).toBe(204);
    const status = (await readPlugin(good)).status;
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(status?.artifact).toBe(`${syncedMirrorHost()}/mcpg-dev/plugins/synced@${digest}`);
    expect(status?.cosignVerified).toBe(true);
  });

  it('fails closed when the mirror does not cover the reference or does not exist', async () => {
    const missing = `no-mirror-${suffix()}`;
    await apply(
      kube,
      plugin(missing, `ghcr.io/mcpg-dev/plugins/x:1.0.0@sha256:${'a'.repeat(64)}`, bothKeys, {
        mirrorRef: { name: 'absent' },
      }),
    );
    expect(await poke('MCPGPlugin', missing)).toBe(204);
    expect(condition((await readPlugin(missing)).status, 'Pulled')).toMatchObject({
      status: 'False',
      reason: 'MirrorUnresolved',
    });

    const name = `mirrored-${suffix()}`;
    await apply(kube, mirror(name, 5000));
    const pkg = pluginPackage({ id: 'dev.mcpg.test.gate', signer: bed.signer });
    // The artifact exists only "upstream" under another namespace, so the rewrite does not apply.
    const { status } = await verifyPlugin('outside', {
      pkg,
      host: 'ghcr.io',
      oci: { mirrorRef: { name } },
    });
    expect(condition(status, 'Pulled')).toMatchObject({ status: 'False', reason: 'MirrorUnresolved' });
    expect(condition(status, 'Pulled')?.message).toContain('is not under');
  });
});
