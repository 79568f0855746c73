import { z } from 'zod';
import {
  commonStatusFields,
  count,
  freeform,
  int32,
  localObjectReference,
  nameRef,
  nonBlank,
  resourceRequirementsSchema,
  stringMap,
  countSet,
  withRules,
  probesSchema,
} from './common.ts';
import { keylessIdentitySchema } from './plugin.schema.ts';

export const SERVER_TRANSPORTS = ['streamable-http', 'sse', 'stdio'] as const;

const envFromSource = withRules(
  z.strictObject({
    secretRef: localObjectReference.optional().describe('Every key of this Secret becomes a variable.'),
    configMapRef: z
      .strictObject({ name: nonBlank('Name of the ConfigMap.') })
      .optional()
      .describe('Every key of this ConfigMap becomes a variable.'),
    prefix: z.string().optional().describe('Prefix added to every variable name.'),
  }),
  'A Secret or ConfigMap whose keys become environment variables.',
  [
    {
      cel: 'has(self.secretRef) != has(self.configMapRef)',
      message: 'set exactly one of secretRef or configMapRef',
      holds: (e) => countSet(e.secretRef, e.configMapRef) === 1,
    },
  ],
);

const uid = (description: string) =>
  z.int().min(1, 'must be at least 1 (not root)').max(2147483647).meta({ description, format: 'int64' });

export const podSecuritySchema = z
  .strictObject({
    runAsUser: uid(
      'User id the containers run as; the image’s USER when unset (which must not be root).',
    ).optional(),
    runAsGroup: uid('Group id the containers run as.').optional(),
    fsGroup: uid('Group that owns mounted volumes.').optional(),
    readOnlyRootFilesystem: z
      .boolean()
      .optional()
      .describe('Mount the image read-only (true when unset); /tmp and writablePaths stay writable.'),
    writablePaths: z
      .array(z.string().regex(/^\/[^:]*$/, 'must be an absolute path'))
      .max(8)
      .optional()
      .describe('Directories besides /tmp that get a writable emptyDir.'),
    automountServiceAccountToken: z
      .boolean()
      .optional()
      .describe(
        'Mount the ServiceAccount token (false when unset: a server rarely calls the Kubernetes API).',
      ),
  })
  .describe(
    'Opt-outs from the pods’ hardening: they run as non-root with a read-only root filesystem, every capability dropped, the RuntimeDefault seccomp profile and no ServiceAccount token (Pod Security "restricted").',
  );

export const serverSpecSchema = withRules(
  z.strictObject({
    image: nonBlank('Container image of the MCP server; digest-pinned (@sha256:…) when verify is set.'),
    replicas: int32('Number of pods.').min(0, 'must be at least 0').default(1),
    transport: z
      .enum(SERVER_TRANSPORTS)
      .default('streamable-http')
      .describe('How the server speaks MCP; stdio servers run behind a bridge that serves streamable HTTP.'),
    command: z
      .array(z.string())
      .optional()
      .describe(
        'Entrypoint override. For stdio: the process the bridge runs; when unset, the image’s own Entrypoint and Cmd (read from its config in the registry), pinned to the digest they were read from.',
      ),
    args: z
      .array(z.string())
      .optional()
      .describe(
        'Arguments to the entrypoint; for a stdio server without command, they replace the image’s Cmd.',
      ),
    port: int32('Port the MCP endpoint listens on.')
      .min(1, 'must be between 1 and 65535')
      .max(65535)
      .default(8080),
    path: z
      .string()
      .default('/mcp')
      .describe('HTTP path of the MCP endpoint; a leading / is added when missing.'),
    env: stringMap('Environment variables set on the server container.').optional(),
    envFrom: z
      .array(envFromSource)
      .optional()
      .describe('Secrets and ConfigMaps whose keys become variables.'),
    envFromSecrets: z
      .array(z.string().min(1))
      .optional()
      .describe('Secrets whose keys become variables (MCPG form; envFrom is the general one).'),
    resources: resourceRequirementsSchema.default({
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    }),
    probes: probesSchema(
      'a TCP check on the port',
      'Probe overrides; a TCP readiness probe on the port by default.',
    ).optional(),
    serviceAccountName: z.string().optional().describe('ServiceAccount the pods run as.'),
    podSecurity: podSecuritySchema.optional(),
    imagePullSecrets: z
      .array(nameRef('A dockerconfigjson Secret.'))
      .optional()
      .describe('Secrets for pulling the image.'),
    registryOverride: z
      .string()
      .regex(
        /^[A-Za-z0-9.-]+(:[0-9]+)?(\/[A-Za-z0-9._-]+)*$/,
        'must be a registry host, optionally with a path',
      )
      .optional()
      .describe(
        'Registry (and path) that replaces the image’s registry, for mirrors and air-gapped clusters.',
      ),
    ingress: z
      .strictObject({
        className: z.string().optional().describe('IngressClass; the cluster default when unset.'),
        host: z
          .string()
          .optional()
          .describe('Host name; without it the Ingress routes a path prefix on any host.'),
        pathPrefix: z.string().default('/').describe('Path prefix routed to the server.'),
        tls: z
          .strictObject({ secretName: nonBlank('Secret with the certificate and key.') })
          .optional()
          .describe('TLS termination.'),
        annotations: stringMap('Annotations on the Ingress.').optional(),
        readiness: z
          .enum(['strict', 'permissive'])
          .default('permissive')
          .describe('strict: the server is Degraded until the Ingress has a load-balancer address.'),
      })
      .optional()
      .describe('An Ingress for reaching the server from outside the cluster.'),
    networkPolicy: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Render a NetworkPolicy around the server pods.'),
        extraIngressFrom: z
          .array(freeform('A NetworkPolicyPeer.'))
          .optional()
          .describe('Peers allowed in besides the gateways that federate the server.'),
      })
      .optional()
      .describe('Who may connect; by default only pods of gateways that federate this server.'),
    verify: withRules(
      z.strictObject({
        cosignIdentity: keylessIdentitySchema.optional(),
        cosignKeyRef: z
          .strictObject({
            secretName: nonBlank('Secret with the cosign public key.'),
            key: z.string().default('cosign.pub').describe('Key inside the Secret.'),
          })
          .optional()
          .describe('Key-based cosign verification.'),
      }),
      'Image signature policy: only verified, digest-pinned images run.',
      [
        {
          cel: 'has(self.cosignIdentity) || has(self.cosignKeyRef)',
          message: 'set cosignIdentity or cosignKeyRef',
          holds: (v) => countSet(v.cosignIdentity, v.cosignKeyRef) > 0,
        },
      ],
    ).optional(),
    federate: z
      .strictObject({
        gatewayRef: nameRef('The MCPGGateway in the same namespace that federates this server.'),
        name: z
          .string()
          .regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits, ".", "_" and "-"')
          .optional()
          .describe('Federation name; the server name when unset.'),
        toolPrefix: z.string().optional().describe('Prefix of the federated tools; "<name>." when unset.'),
        governance: freeform('Gateway governance settings for the federation.').optional(),
        import: freeform('Which tools are imported.').optional(),
        auth: freeform('How the gateway authenticates to the server.').optional(),
      })
      .optional()
      .describe('Federate the server into a gateway.'),
  }),
  'An MCP server run as a Deployment and Service.',
  [
    {
      cel: "!has(self.verify) || self.image.contains('@sha256:')",
      message: 'verify needs image pinned by digest (@sha256:…)',
      holds: (s) => s.verify === undefined || s.image.includes('@sha256:'),
    },
  ],
);

export const SERVER_PHASES = ['Pending', 'Starting', 'Running', 'Degraded', 'Failed'] as const;

export const serverStatusSchema = z
  .strictObject({
    ...commonStatusFields,
    phase: z
      .enum(SERVER_PHASES)
      .optional()
      .describe('Pending, Starting (until pods are ready), Running, Degraded or Failed.'),
    replicas: int32('Pods of the Deployment.').optional(),
    readyReplicas: int32('Ready pods.').optional(),
    availableReplicas: int32('Available pods.').optional(),
    url: z.string().optional().describe('In-cluster URL of the MCP endpoint.'),
    imageDigest: z
      .string()
      .optional()
      .describe('Digest of the image the supply-chain function verified; unset while it is not verified.'),
    imageVerification: z
      .strictObject({
        image: z.string().describe('The spec.image that was checked.'),
        policy: z
          .string()
          .describe('Hash of spec.verify when it was checked; a changed policy is checked again.'),
        verified: z.boolean().describe('Whether the image passed every check, revocation included.'),
        reason: z.string().describe('Outcome: Verified, or why not (SignatureMissing, DigestRevoked, …).'),
        message: z.string().optional().describe('What was found, and what to do about it.'),
      })
      .optional()
      .describe('The supply-chain function’s last check of spec.image against spec.verify.'),
    imageConfig: z
      .strictObject({
        image: z.string().describe('The reference read: spec.image at spec.registryOverride.'),
        digest: z.string().optional().describe('Digest of the manifest (or index) the config was read from.'),
        entrypoint: z.array(z.string()).optional().describe('The image config’s Entrypoint.'),
        cmd: z.array(z.string()).optional().describe('The image config’s Cmd.'),
        reason: z.string().describe('Outcome: Read, or why not (ImageNotFound, PlatformsDisagree, …).'),
        message: z.string().optional().describe('What was found, and what to do about it.'),
      })
      .optional()
      .describe(
        'For a stdio server without spec.command: the entrypoint the supply-chain function read from the image, which the bridge runs (pinned to digest).',
      ),
    federatedInto: count('Gateways federating the server.').optional(),
  })
  .describe('Observed state of the server.');

export type ServerSpec = z.infer<typeof serverSpecSchema>;
