import { afterAll, describe, expect, it } from 'vitest';
import { CLUSTER_RANGE, INTERNAL_DETAIL, useRegistrySecurityBed } from './registry-bed.ts';

const DIGEST = `sha256:${'4'.repeat(64)}`;

// A tenant names a registry in MCPGServer.spec.image or spec.registryOverride, and the supply-chain function
// connects there with its own network position: every internal address is refused before a connection is made,
// on the address the name resolves to, unless the operator named that registry.
describe('registries a tenant points the supply chain at', () => {
  const bed = useRegistrySecurityBed('sec-addresses');
  const canaryPort = () => bed.parts.canary.host.split(':')[1] ?? '';

  afterAll(() => {
    // Checked last, after every attempt of the file: nothing reached the canary.
    expect(bed.parts.canary.connections()).toBe(0);
  });

  it.each([
    { name: 'loopback', image: () => `127.0.0.1:${canaryPort()}/team/app@${DIGEST}` },
    { name: 'a name resolving to loopback', image: () => `localhost:${canaryPort()}/team/app@${DIGEST}` },
    { name: 'IPv6 loopback', image: () => `[::1]:${canaryPort()}/team/app@${DIGEST}` },
    { name: 'another loopback address', image: () => `127.0.0.2:${canaryPort()}/team/app@${DIGEST}` },
    { name: 'the cloud metadata address', image: () => `169.254.169.254/latest/meta-data@${DIGEST}` },
    { name: 'a private address', image: () => `10.0.0.1:5000/team/app@${DIGEST}` },
    { name: 'another private block', image: () => `192.168.1.1/team/app@${DIGEST}` },
    { name: 'shared address space', image: () => `100.64.0.1/team/app@${DIGEST}` },
    { name: 'the unspecified address', image: () => `0.0.0.0:${canaryPort()}/team/app@${DIGEST}` },
    {
      name: 'the cluster range the operator declared',
      image: () => `${CLUSTER_RANGE.replace('0/24', '7')}/team/app@${DIGEST}`,
    },
  ])('refuses $name in spec.image, without connecting', async ({ name, image }) => {
    const refused = await bed.judgeServer(`addr-${name.replace(/[^a-z0-9]+/g, '-')}`, { image: image() });
    expect(refused).toMatchObject({ status: 'False', reason: 'RegistryRefused' });
    expect(refused.message).toMatch(/loopback, link-local, private or cluster-internal address/);
    expect(refused.message).toMatch(/unless the operator allows that registry/);
    expect(refused.message).not.toMatch(INTERNAL_DETAIL);
  });

  it('refuses a registry override pointing at loopback, and still verifies a normal server meanwhile', async () => {
    const refused = await bed.judgeServer('override-loopback', {
      image: `ghcr.io/team/app@${DIGEST}`,
      registryOverride: bed.parts.canary.host,
    });
    expect(refused).toMatchObject({ status: 'False', reason: 'RegistryRefused' });
    await bed.normalServerVerifies('normal-addresses');
  });

  it('speaks only TLS to a registry the operator allowed but did not mark insecure', async () => {
    const refused = await bed.judgeServer('tls-only', {
      image: `${bed.parts.tlsOnly.host}/honest/app@${DIGEST}`,
    });
    expect(refused).toMatchObject({ status: 'False', reason: 'PullFailed' });
    expect(refused.message).toMatch(/does not speak TLS \(the operator marks plain-HTTP registries\)/);
    // The handshake failed before any request: nothing was sent in the clear.
    expect(bed.parts.tlsOnly.seen).toEqual([]);
  });
});
