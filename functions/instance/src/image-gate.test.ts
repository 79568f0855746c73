import { describe, expect, it } from 'vitest';
import { imagePolicy } from '@mcpg-functions/shared/workloads';
import { gatedSource, imageBlocked } from './image-gate.ts';

const digest = `sha256:${'c'.repeat(64)}`;
const image = `registry.example/tools@${digest}`;
const verify = { cosignKeyRef: { secretName: 'cosign-key', key: 'cosign.pub' } };
const spec = { image, transport: 'streamable-http' as const, port: 9000, path: '/mcp', resources: {} };
const template = (extra: Record<string, unknown>, status?: Record<string, unknown>) => ({
  apiVersion: 'mcpg.dev/v1alpha2',
  kind: 'MCPGServer',
  metadata: { name: 'tools', namespace: 'team-a' },
  spec: { ...spec, ...extra } as never,
  ...(status ? { status } : {}),
});
const checked = (verified: boolean, reason: string, more: Record<string, unknown> = {}) => ({
  imageVerification: { image, policy: imagePolicy(verify), verified, reason, message: `${reason} message` },
  ...more,
});

describe('the image-trust gate of instance pods', () => {
  it('runs a template without a verify policy as it is', () => {
    expect(gatedSource(template({}))).toEqual({ source: expect.objectContaining({ image }) as unknown });
  });

  it('runs a verified image pinned to the digest the supply chain recorded', () => {
    const gated = gatedSource(template({ verify }, checked(true, 'Verified', { imageDigest: digest })));
    expect(gated).toEqual({ source: expect.objectContaining({ image }) as unknown });
  });

  it.each([
    { name: 'not checked yet', status: undefined, reason: 'VerificationPending' },
    { name: 'revoked', status: checked(false, 'DigestRevoked'), reason: 'DigestRevoked' },
    { name: 'unsigned', status: checked(false, 'SignatureMissing'), reason: 'SignatureMissing' },
    { name: 'verified without a digest', status: checked(true, 'Verified'), reason: 'VerificationPending' },
  ])('runs no pod for an image $name, and says why', ({ status, reason }) => {
    const gated = gatedSource(template({ verify }, status));
    expect(gated).toMatchObject({ blocked: { reason } });
    if (!('blocked' in gated)) return;
    const desired = imageBlocked('tools', gated.blocked);
    expect(desired.children).toEqual([]);
    expect(desired.conditions[0]).toMatchObject({
      type: 'Ready',
      status: 'False',
      reason: 'ImageNotVerified',
    });
    expect(desired.conditions[0]?.message).toMatch(
      /^MCPGServer tools: .*no pod runs until its image passes spec.verify$/,
    );
  });
});
