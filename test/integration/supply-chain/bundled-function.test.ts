import { describe, expect, it } from 'vitest';
import { useSupplyChainBed } from './bed.ts';

// The supply-chain function as deployed: the bundle loads its registry client (undici) and the YAML parser only
// when a pass first needs them, from chunks next to the entry. A pass must find them there and verify as the
// source does.
describe('the bundled supply-chain function', () => {
  const bed = useSupplyChainBed('bundled', { bundled: true });
  const { condition, verifyPlugin } = bed;

  it('verifies a signed plugin on its first pass, loading the registry client then', async () => {
    const { digest, pkg, status } = await verifyPlugin('first');
    expect(condition(status, 'Verified')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(status).toMatchObject({
      artifact: `${bed.registry.host}/plugins/first@${digest}`,
      resolvedDigest: `sha256:${pkg.binarySha256}`,
      signatureValid: true,
      cosignVerified: true,
    });
  });

  it('verifies a plugin signed in the Sigstore bundle format', async () => {
    const { digest, status } = await verifyPlugin('sigstore', { format: 'bundle' });
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Verified' });
    expect(status).toMatchObject({
      artifact: `${bed.registry.host}/plugins/sigstore@${digest}`,
      cosignVerified: true,
    });
  });
});
