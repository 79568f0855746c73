import { z } from 'zod';
import { commonStatusFields, count, countSet, nonBlank, timestamp, withRules } from './common.ts';

const sha256Hex = z
  .string()
  .trim()
  .regex(/^[A-Fa-f0-9]{64}$/, 'must be 64 hexadecimal digits (a sha256)');

/** The same artifact, digest or key listed twice (sha256 compared case-insensitively) is a mistake. */
function rejectDuplicateRevocations(
  list: {
    artifactSha256?: string | undefined;
    ociDigest?: string | undefined;
    publicKeySha256?: string | undefined;
  }[],
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  list.forEach((entry, index) => {
    for (const field of ['artifactSha256', 'ociDigest', 'publicKeySha256'] as const) {
      const value = entry[field]?.trim().toLowerCase();
      if (value === undefined) continue;
      if (seen.has(`${field}:${value}`)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, field],
          message: 'is listed twice',
          input: entry[field],
        });
      }
      seen.add(`${field}:${value}`);
    }
  });
}

export const revocationListSpecSchema = z
  .strictObject({
    version: z
      .int()
      .min(1)
      .max(1)
      .default(1)
      .meta({ description: 'Format version; only 1 exists.', format: 'int32' }),
    issuedAt: timestamp('When the list was issued (audit only).').optional(),
    revocations: z
      .array(
        withRules(
          z.strictObject({
            artifactSha256: sha256Hex.optional().describe('sha256 of the plugin bytes (either case).'),
            ociDigest: z
              .string()
              .regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256:<64 lower-case hex digits>')
              .optional()
              .describe('OCI manifest digest of the artifact.'),
            signerIdentity: z
              .strictObject({
                subject: nonBlank('Certificate subject (exact).'),
                issuer: z.string().optional().describe('OIDC issuer (exact); any issuer when unset.'),
              })
              .optional()
              .describe('A keyless signer whose signatures no longer count.'),
            publicKeySha256: sha256Hex
              .optional()
              .describe('sha256 of a revoked public key (DER, as cosign and Ed25519 keys are compared).'),
            reason: nonBlank('Why it was revoked.'),
            revokedAt: timestamp('When it was revoked.').optional(),
          }),
          'One revoked artifact, digest, signer or key.',
          [
            {
              cel: '[has(self.artifactSha256), has(self.ociDigest), has(self.signerIdentity), has(self.publicKeySha256)].filter(x, x).size() == 1',
              message: 'set exactly one of artifactSha256, ociDigest, signerIdentity or publicKeySha256',
              holds: (r) =>
                countSet(r.artifactSha256, r.ociDigest, r.signerIdentity, r.publicKeySha256) === 1,
            },
          ],
        ),
      )
      .max(10000)
      .superRefine(rejectDuplicateRevocations)
      .default([])
      .describe('Revoked artifacts, digests, signers and keys.'),
  })
  .describe('Plugin artifacts and signers that must not run, enforced fail-closed.');

export const revocationListStatusSchema = z
  .strictObject({
    ...commonStatusFields,
    observedRevocations: count('Entries in the list.').optional(),
    materialisedNamespaces: count('Namespaces holding a copy for gateways.').optional(),
    pluginsBlocked: z.array(z.string()).optional().describe('MCPGPlugins this list revokes.'),
    contentHash: z.string().optional().describe('sha256 of the normalised list.'),
  })
  .describe('Observed state of the revocation list.');

export type RevocationListSpec = z.infer<typeof revocationListSpecSchema>;
