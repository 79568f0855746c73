/**
 * The chart's values as a zod schema, written to chart/values.schema.json: Helm checks every install, upgrade,
 * template and lint against it, so a wrong cron string, autoscaler bound or webhook policy stops with the field's
 * path and the rule it broke, before anything reaches the cluster. Unknown keys are refused too (a misspelt key
 * would otherwise be ignored without a word).
 */
import { z } from 'zod';

/** Standard five-field cron (names and steps allowed), a @-macro, optionally after CRON_TZ=<zone>. */
const CRON =
  /^(CRON_TZ=[A-Za-z0-9_+\-/]+ )?(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|([0-9A-Za-z*?/,-]+ ){4}[0-9A-Za-z*?/,-]+)$/;
const DNS_PREFIX = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/;
const DIGEST = /^(sha256:[a-f0-9]{64})?$/;
const DURATION = /^([0-9]+(\.[0-9]+)?(h|m|s|ms))+$/;

const anyObject = (description: string) => z.record(z.string(), z.unknown()).describe(description);
const objects = (description: string) =>
  z.array(anyObject('An object, as in a pod spec.')).describe(description);
const stringMap = (description: string) => z.record(z.string(), z.string()).describe(description);

const ownImage = z
  .strictObject({
    repository: z.string().optional().describe('Repository; image.repository/<function> when empty.'),
    tag: z.string().optional().describe('Tag; image.tag when empty.'),
    digest: z
      .string()
      .regex(DIGEST, 'must be sha256:<64 hex digits>')
      .optional()
      .describe('Pins the image; wins over the tag.'),
    pullPolicy: z
      .enum(['', 'Always', 'IfNotPresent', 'Never'])
      .optional()
      .describe('image.pullPolicy when empty.'),
  })
  .describe('This part’s own image.');

/** Pod settings every function takes; functionDefaults gives each its value unless the function sets it. */
const podSettings = {
  resources: z
    .strictObject({ requests: stringMap('Requests.').optional(), limits: stringMap('Limits.').optional() })
    .optional()
    .describe('Container resources.'),
  securityContext: anyObject('Container security context.').optional(),
  podSecurityContext: anyObject(
    'Pod security context; needs Knative’s kubernetes.podspec-securitycontext.',
  ).optional(),
  podAnnotations: stringMap('Annotations on the function’s pods.').optional(),
  priorityClassName: z.string().optional().describe('Needs Knative’s kubernetes.podspec-priorityclassname.'),
  nodeSelector: stringMap('Needs Knative’s kubernetes.podspec-nodeselector.').optional(),
  tolerations: objects('Needs Knative’s kubernetes.podspec-tolerations.').optional(),
  affinity: anyObject('Needs Knative’s kubernetes.podspec-affinity.').optional(),
};

/**
 * Settings of the runtime every function shares (functions/shared/src/runtime/serve.ts), each rendered as its
 * environment variable (RUNTIME_ENV in chart-functions.ts). A Knative request, a ping's included, may run 120 s,
 * and Knative gives a pod as long to stop: both bounds stay below that.
 */
export const runtimeSettings = {
  resyncConcurrency: z
    .int()
    .min(1)
    .max(64)
    .optional()
    .describe(
      'Objects one resync reconciles at once (MCPG_RESYNC_CONCURRENCY); keep it within what API Priority and Fairness grants one client.',
    ),
  resyncDeadlineSeconds: z
    .int()
    .min(1)
    .max(110)
    .optional()
    .describe(
      'How long one resync request may start passes (MCPG_RESYNC_DEADLINE_SECONDS); below the 120 s request timeout.',
    ),
  resyncPageSize: z
    .int()
    .min(1)
    .max(500)
    .optional()
    .describe(
      'Objects per page of a resync (MCPG_RESYNC_PAGE_SIZE): what one shard covers and what memory holds at once.',
    ),
  resyncShardsInFlight: z
    .int()
    .min(1)
    .max(16)
    .optional()
    .describe(
      'Pages of one resync sent to the function’s replicas at once (MCPG_RESYNC_SHARDS_IN_FLIGHT); each runs resyncConcurrency passes at once.',
    ),
  memorySeconds: z
    .int()
    .min(0)
    .max(3600)
    .optional()
    .describe(
      'How long a pass may answer a read from what the function last read or wrote while events say it is current (MCPG_MEMORY_SECONDS); 0 reads everything live.',
    ),
  eventHoldMs: z
    .int()
    .min(0)
    .max(110_000)
    .optional()
    .describe(
      'How long an object event waits for its passes before it is answered and they go on in the background (MCPG_EVENT_HOLD_MS).',
    ),
  pendingObjects: z
    .int()
    .min(1)
    .max(100_000)
    .optional()
    .describe(
      'Objects whose passes events asked for and that are not finished (MCPG_PENDING_OBJECTS); beyond it, events wait for room.',
    ),
  shutdownGraceSeconds: z
    .int()
    .min(1)
    .max(110)
    .optional()
    .describe(
      'After SIGTERM, how long passes in flight may finish (MCPG_SHUTDOWN_GRACE_SECONDS); below the pod’s 120 s termination grace period.',
    ),
};

const functionValues = z
  .strictObject({
    enabled: z.boolean().describe('Install this function.'),
    resyncSchedule: z
      .string()
      .regex(CRON, 'must be a five-field cron schedule such as "*/5 * * * *" (or @hourly, @daily, …)')
      .describe('Cron schedule of the resync PingSource.'),
    maxScale: z
      .int()
      .min(0)
      .max(1000)
      .describe('Upper bound of the Knative autoscaler; 0 leaves it unbounded.'),
    image: ownImage.optional(),
    serviceAccount: z
      .strictObject({
        create: z.boolean().optional().describe('Create the ServiceAccount (default true).'),
        name: z
          .string()
          .regex(DNS_PREFIX, 'must be a DNS label')
          .optional()
          .describe('Its name; <fullname>-<function> when empty.'),
        annotations: stringMap('Annotations, such as a workload identity for registry pulls.').optional(),
      })
      .optional()
      .describe('The ServiceAccount the function runs as.'),
    env: objects('Extra environment variables (EnvVar objects).').optional(),
    volumes: objects('Extra volumes.').optional(),
    volumeMounts: objects('Extra volume mounts.').optional(),
    ...podSettings,
    ...runtimeSettings,
  })
  .describe('One reconcile function.');

const admission = z.strictObject({
  enabled: z.boolean(),
  replicas: z.int().min(1).max(100),
  image: ownImage.optional(),
  failurePolicy: z
    .enum(['Fail', 'Ignore'])
    .describe('What the API server does when the webhook cannot answer.'),
  timeoutSeconds: z.int().min(1).max(30).describe('The API server allows 1 to 30 seconds.'),
  lookupFailurePolicy: z.enum(['Fail', 'Ignore']),
  privilegedGroups: z.array(z.string().min(1)),
  ingress: z
    .strictObject({
      classes: z.array(z.string().min(1)).describe('IngressClasses MCPG objects may name; empty allows any.'),
      annotations: z.strictObject({
        allowed: z
          .array(z.string().min(1))
          .describe('Annotation key patterns allowed (`*` matches any run).'),
        denied: z.array(z.string()).describe('Annotation key patterns refused even when allowed.'),
      }),
    })
    .describe('What tenants may ask of the Ingress controllers through MCPGServer and MCPGGateway.'),
  certManager: z.strictObject({
    enabled: z.boolean(),
    issuerRef: z
      .strictObject({ name: z.string().min(1), kind: z.string().optional(), group: z.string().optional() })
      .or(z.strictObject({}))
      .describe('An Issuer or ClusterIssuer; empty: a self-signed Issuer.'),
    duration: z.string().regex(DURATION, 'must be a duration such as 8760h'),
    renewBefore: z.string().regex(DURATION, 'must be a duration such as 720h'),
  }),
  tls: z.strictObject({
    secretName: z.string().min(1),
    caBundle: z.string().regex(/^[A-Za-z0-9+/=]*$/, 'must be base64 (the PEM of the CA, base64-encoded)'),
  }),
  resources: podSettings.resources,
  podAnnotations: podSettings.podAnnotations,
  priorityClassName: podSettings.priorityClassName,
  podDisruptionBudget: z.strictObject({
    enabled: z.boolean(),
    minAvailable: z.union([z.int().min(0), z.string()]),
  }),
  networkPolicy: z.strictObject({ enabled: z.boolean() }),
  nodeSelector: stringMap('Node selector.'),
  tolerations: objects('Tolerations.'),
  affinity: anyObject('Affinity.'),
});

const labels = stringMap('Labels added to the object.');
const monitoring = z.strictObject({
  scrape: z.strictObject({
    enabled: z.boolean(),
    interval: z.string().regex(DURATION, 'must be a duration'),
    labels,
  }),
  alerts: z.strictObject({
    enabled: z.boolean(),
    labels,
    reconcileFailureRate: z.number().min(0),
    reconcileP95Seconds: z.number().positive(),
    admissionErrorRatio: z.number().min(0).max(1),
  }),
  grafanaDashboard: z.strictObject({ enabled: z.boolean(), labels }),
});

/** The values of a chart whose functions are `functionKeys` (their values keys). */
export function valuesSchema(functionKeys: string[]) {
  return z.strictObject({
    nameOverride: z
      .string()
      .max(40)
      .regex(DNS_PREFIX, 'must be a DNS label')
      .describe('Replaces "mcpg" in names.'),
    fullnameOverride: z
      .string()
      .max(40)
      .regex(DNS_PREFIX, 'must be a DNS label')
      .describe('The prefix of every object name.'),
    image: z.strictObject({
      registry: z.string(),
      repository: z.string().min(1),
      tag: z.string(),
      pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']),
    }),
    imagePullSecrets: z
      .array(z.strictObject({ name: z.string().min(1) }))
      .describe('Pull secrets of every pod.'),
    rbac: z.strictObject({ create: z.boolean().describe('Create the ClusterRoles and their bindings.') }),
    preflight: z.strictObject({
      enabled: z.boolean().describe('Refuse to install on a cluster without the APIs the chart needs.'),
    }),
    eventing: z.strictObject({
      apiServerSourceAdapterImage: z
        .string()
        .describe(
          "Knative Eventing's ApiServerSource adapter image; empty: looked up from the installed controller.",
        ),
      namespace: z
        .string()
        .regex(DNS_PREFIX, 'must be a namespace name')
        .describe("Knative Eventing's namespace."),
    }),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']),
    tracing: z.strictObject({
      otlpEndpoint: z.string().regex(/^(https?:\/\/.+)?$/, 'must be an http(s) URL, or empty'),
    }),
    crds: z.strictObject({ install: z.boolean() }),
    functionDefaults: z
      .strictObject({ ...podSettings, ...runtimeSettings })
      .describe('Pod and runtime settings of every function that sets none itself.'),
    functions: z.strictObject(Object.fromEntries(functionKeys.map((key) => [key, functionValues]))),
    functionsNetworkPolicy: z
      .strictObject({
        enabled: z.boolean(),
        fromNamespaces: z
          .array(z.string().regex(DNS_PREFIX, 'must be a namespace name').min(1))
          .describe('Namespaces whose pods may reach the functions (Knative’s data path).'),
      })
      .describe('A NetworkPolicy around the function pods.'),
    admission,
    monitoring,
    kubeStateMetrics: z
      .strictObject({
        enabled: z.boolean(),
        namespace: z.string().regex(DNS_PREFIX, 'must be a namespace name, or empty'),
        serviceAccount: z.string().min(1).describe('kube-state-metrics’ ServiceAccount in that namespace.'),
      })
      .describe('Fleet metrics from a kube-state-metrics you run.'),
  });
}

export function renderValuesSchema(functionKeys: string[]): string {
  const schema = z.toJSONSchema(valuesSchema(functionKeys), {
    target: 'draft-7',
    io: 'input',
    reused: 'ref',
  });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
