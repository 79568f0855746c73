import { z } from 'zod';
import { commonStatusFields, countSet, nameRef, nonBlank, timestamp, withRules } from './common.ts';
import { pluginIdSchema } from './plugin-set.schema.ts';

export const PLUGIN_CLASSES = [
  'tool_gate',
  'transform',
  'identity_provider',
  'backend',
  'watch_strategy',
  'http_route',
  'audit_sink',
  'log_sink',
  'telemetry_sink',
  'metrics_sink',
  'store',
  'cache',
  'secret_provider',
  'config_provider',
  'policy_engine',
  'cluster',
  'transport',
  'catalog_provider',
  'credential_issuer',
  'approval_notifier',
  'content_store',
] as const;

/** `registry/path:tag`, `registry/path@sha256:<64 hex>` or both. */
export const ociReferenceSchema = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(1024)
  .regex(
    /^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
    'must be an OCI reference registry/path:tag or registry/path@sha256:<64 hex digits>',
  )
  .refine((ref) => /[:@]/.test(ref.slice(ref.indexOf('/'))), 'must name a tag or a sha256 digest');

/** Subject matching for keyless signatures: an anchored RE2 regular expression or an exact subject. */
export const keylessIdentitySchema = withRules(
  z.strictObject({
    certificateIdentityRegexp: z
      .string()
      .regex(/^\^.*\$$/, 'must be anchored: start with ^ and end with $')
      .optional()
      .describe('Anchored regular expression (RE2) the certificate subject must match.'),
    certificateIdentity: z
      .string()
      .min(1)
      .optional()
      .describe('Exact certificate subject (instead of a regexp).'),
    oidcIssuer: nonBlank('Exact OIDC issuer URL of the signing certificate.'),
  }),
  'Who may sign keylessly (Fulcio certificate identity).',
  [
    {
      cel: 'has(self.certificateIdentityRegexp) != has(self.certificateIdentity)',
      message: 'set exactly one of certificateIdentityRegexp or certificateIdentity',
      holds: (k) => countSet(k.certificateIdentityRegexp, k.certificateIdentity) === 1,
    },
  ],
);

export const pluginSpecSchema = withRules(
  z.strictObject({
    pluginId: pluginIdSchema.describe('Plugin id; must equal the id in the artifact’s descriptor.'),
    version: nonBlank('Plugin version, such as 1.2.3.'),
    pluginClass: z.enum(PLUGIN_CLASSES).describe('What kind of plugin this is.'),
    oci: z
      .strictObject({
        image: ociReferenceSchema.describe('OCI reference of the plugin artifact.'),
        pullSecretRef: nameRef('A dockerconfigjson Secret in the operator namespace.').optional(),
        mirrorRef: nameRef('An MCPGPluginMirror to pull through (fail-closed).').optional(),
      })
      .describe('Where the artifact is pulled from.'),
    trust: withRules(
      z.strictObject({
        signingKeyRef: z
          .strictObject({
            secretName: nonBlank('Secret in the operator namespace holding the public key.'),
            key: nonBlank('Key inside the Secret.').default('release.pub'),
          })
          .optional()
          .describe('Ed25519 public key for the detached plugin signature.'),
        cosignKeyRef: z
          .strictObject({
            secretName: nonBlank('Secret in the operator namespace holding the cosign public key.'),
            key: nonBlank('Key inside the Secret.').default('cosign.pub'),
          })
          .optional()
          .describe('Public key for key-based cosign signatures.'),
        cosignIdentity: keylessIdentitySchema.optional(),
        slsaProvenance: z
          .strictObject({
            configMapName: nonBlank('ConfigMap in the operator namespace with provenance.intoto.jsonl.'),
            sourceUri: nonBlank('Expected source repository URI.'),
            sourceTag: nonBlank('Expected source tag.'),
          })
          .optional()
          .describe('SLSA provenance the artifact must match.'),
      }),
      'How the artifact is verified; at least one signature check is required.',
      [
        {
          cel: 'has(self.signingKeyRef) || has(self.cosignKeyRef) || has(self.cosignIdentity)',
          message: 'set signingKeyRef, cosignKeyRef or cosignIdentity',
          holds: (t) => countSet(t.signingKeyRef, t.cosignKeyRef, t.cosignIdentity) > 0,
        },
      ],
    ),
  }),
  'A signed plugin artifact in an OCI registry.',
  [
    {
      cel: "self.oci.image.contains('@sha256:') || has(self.trust.cosignIdentity)",
      message: 'oci.image must be pinned by digest (@sha256:…) unless trust.cosignIdentity is set',
      holds: (p) => p.oci.image.includes('@sha256:') || p.trust.cosignIdentity !== undefined,
    },
  ],
);

export const pluginStatusSchema = z
  .strictObject({
    ...commonStatusFields,
    resolvedDigest: z.string().optional().describe('sha256 digest of the artifact that was verified.'),
    artifact: z
      .string()
      .optional()
      .describe(
        'Digest-pinned reference gateway pods fetch (registry/repository@sha256:…), at the mirror when mirrored; set only once verified.',
      ),
    signatureValid: z.boolean().optional().describe('Ed25519 signature outcome (absent: not evaluated).'),
    cosignVerified: z.boolean().optional().describe('cosign signature outcome (absent: not evaluated).'),
    slsaVerified: z.boolean().optional().describe('SLSA provenance outcome (absent: not evaluated).'),
    revokedBySha: z.boolean().optional().describe('Whether a revocation list revokes the artifact.'),
    artefactSecretName: z
      .string()
      .optional()
      .describe('Unused since plugins are fetched by digest; kept for MCPG.'),
    pulledAt: timestamp('When the artifact was last pulled.').optional(),
  })
  .describe('Observed state of the plugin.');

export type PluginSpec = z.infer<typeof pluginSpecSchema>;
export type KeylessIdentitySpec = z.infer<typeof keylessIdentitySchema>;
