import { z } from 'zod';
import {
  commonStatusFields,
  dnsLabel,
  freeform,
  int32,
  intOrString,
  nameRef,
  nonBlank,
  resourceRequirementsSchema,
  stringMap,
  withRules,
  countSet,
  probesSchema,
} from './common.ts';

const ingressSchema = z
  .strictObject({
    ingressClassName: nonBlank('IngressClass that serves this Ingress, such as nginx.'),
    hosts: z
      .array(
        z.strictObject({
          host: nonBlank('Host name, such as gateway.example.com.'),
          paths: z
            .array(
              z.strictObject({
                path: nonBlank('URL path prefix, such as /.'),
                pathType: z
                  .enum(['Prefix', 'Exact', 'ImplementationSpecific'])
                  .describe('How the path matches: Prefix, Exact or ImplementationSpecific.'),
              }),
            )
            .min(1, 'needs at least one path')
            .describe('Paths routed to the gateway.'),
        }),
      )
      .min(1, 'needs at least one host')
      .describe('Hosts routed to the gateway.'),
    tls: z
      .array(
        z.strictObject({
          hosts: z.array(z.string()).min(1).describe('Hosts the certificate covers.'),
          secretName: nonBlank('Secret holding the TLS certificate and key.'),
        }),
      )
      .optional()
      .describe('TLS termination settings.'),
    annotations: stringMap('Annotations on the Ingress (controller-specific settings).').optional(),
  })
  .describe('An Ingress in front of the gateway Service.');

const workloadIdentitySchema = withRules(
  z.strictObject({
    aws: z
      .strictObject({ iamRoleArn: nonBlank('IAM role ARN for IRSA.') })
      .optional()
      .describe('AWS IAM roles for service accounts.'),
    gcp: z
      .strictObject({ googleServiceAccount: nonBlank('Google service account e-mail.') })
      .optional()
      .describe('GKE Workload Identity.'),
    azure: z
      .strictObject({ clientId: nonBlank('Managed identity client id.') })
      .optional()
      .describe('Azure Workload Identity.'),
    spiffe: z
      .strictObject({
        trustDomain: nonBlank('SPIFFE trust domain.'),
        svid: nonBlank('SPIFFE ID of the gateway.'),
      })
      .optional()
      .describe('SPIFFE identity.'),
  }),
  'Cloud workload identity for the gateway ServiceAccount; at most one provider.',
  [
    {
      cel: '[has(self.aws), has(self.gcp), has(self.azure), has(self.spiffe)].filter(x, x).size() <= 1',
      message: 'set at most one workload identity provider (aws, gcp, azure or spiffe)',
      holds: (w) => countSet(w.aws, w.gcp, w.azure, w.spiffe) <= 1,
    },
  ],
);

const schedulingSchema = z
  .strictObject({
    nodeSelector: stringMap('Node labels the gateway pods must match.').optional(),
    tolerations: z
      .array(freeform('A core/v1 Toleration.'))
      .optional()
      .describe('Tolerations of the gateway pods.'),
    affinity: freeform('A core/v1 Affinity for the gateway pods.').optional(),
    topologySpreadConstraints: z
      .array(
        z.strictObject({
          maxSkew: int32('Largest allowed difference in pod count between topology domains.').min(1),
          topologyKey: nonBlank(
            'Node label that defines a topology domain, such as topology.kubernetes.io/zone.',
          ),
          whenUnsatisfiable: z
            .enum(['DoNotSchedule', 'ScheduleAnyway'])
            .describe('What the scheduler does when the constraint cannot be met.'),
          labelSelectorMatchLabels: stringMap(
            'Extra labels selecting the pods counted; the gateway’s own by default.',
          ).optional(),
        }),
      )
      .optional()
      .describe('How gateway pods spread across topology domains.'),
    priorityClassName: z.string().optional().describe('PriorityClass of the gateway pods.'),
    terminationGracePeriodSeconds: z
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Seconds a pod may take to shut down.', format: 'int64' }),
  })
  .describe('Where and how gateway pods are scheduled.');

const autoscalingSchema = withRules(
  z.strictObject({
    enabled: z.boolean().default(false).describe('Render a HorizontalPodAutoscaler (autoscaling/v2).'),
    minReplicas: int32('Lowest replica count the autoscaler may choose.').min(1).optional(),
    maxReplicas: int32('Highest replica count the autoscaler may choose.').min(1).optional(),
    metrics: z
      .array(
        z.strictObject({
          type: z
            .enum(['Resource', 'Pods', 'Object', 'External', 'ContainerResource'])
            .describe('Metric source type.'),
          resource: freeform('Resource metric source (autoscaling/v2).').optional(),
          pods: freeform('Pods metric source (autoscaling/v2).').optional(),
          object: freeform('Object metric source (autoscaling/v2).').optional(),
          external: freeform('External metric source (autoscaling/v2).').optional(),
          containerResource: freeform('ContainerResource metric source (autoscaling/v2).').optional(),
        }),
      )
      .optional()
      .describe('Metrics the autoscaler follows; CPU at 80 % when empty.'),
  }),
  'Horizontal autoscaling of the gateway Deployment.',
  [
    {
      cel: '!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas',
      message: 'minReplicas must not exceed maxReplicas',
      holds: (a) =>
        a.minReplicas === undefined || a.maxReplicas === undefined || a.minReplicas <= a.maxReplicas,
    },
    {
      cel: '!self.enabled || has(self.maxReplicas)',
      message: 'maxReplicas is required when autoscaling is enabled',
      holds: (a) => !a.enabled || a.maxReplicas !== undefined,
    },
  ],
);

export const gatewaySpecSchema = withRules(
  z.strictObject({
    image: z
      .strictObject({
        repository: z
          .string()
          .optional()
          .describe('Image repository; the operator’s default gateway image when unset.'),
        tag: z
          .string()
          .optional()
          .describe('Image tag; the gateway version this operator release pins when unset.'),
        pullPolicy: z
          .enum(['Always', 'IfNotPresent', 'Never'])
          .optional()
          .describe('Image pull policy; IfNotPresent when unset.'),
      })
      .optional()
      .describe('Gateway container image. Every part is optional and defaulted when rendering.'),
    replicas: int32('Number of gateway pods when autoscaling is off.')
      .min(1, 'must be at least 1')
      .default(1),
    config: freeform('The gateway’s own boot configuration (snake_case), passed through to its ConfigMap.'),
    resources: resourceRequirementsSchema.optional(),
    service: z
      .strictObject({
        type: z
          .enum(['ClusterIP', 'NodePort', 'LoadBalancer'])
          .default('ClusterIP')
          .describe('Service type.'),
        port: int32('Service port.').min(1).max(65535).default(8787),
        annotations: stringMap('Annotations on the Service.').optional(),
      })
      .optional()
      .describe('The gateway Service.'),
    ingress: ingressSchema.optional(),
    imagePullSecrets: z
      .array(nameRef('A dockerconfigjson Secret.'))
      .optional()
      .describe('Secrets for pulling the image.'),
    workloadIdentity: workloadIdentitySchema.optional(),
    scheduling: schedulingSchema.optional(),
    probes: probesSchema("the gateway's /health", 'Probe overrides.').optional(),
    networkPolicy: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe('Render a default-deny NetworkPolicy for the gateway pods.'),
        extraIngressFrom: z
          .array(freeform('A NetworkPolicyPeer.'))
          .optional()
          .describe('Extra peers allowed in.'),
        extraEgressTo: z
          .array(freeform('A NetworkPolicyPeer.'))
          .optional()
          .describe('Extra peers allowed out.'),
      })
      .optional()
      .describe('A NetworkPolicy around the gateway pods.'),
    podDisruptionBudget: withRules(
      z.strictObject({
        enabled: z.boolean().default(false).describe('Render a PodDisruptionBudget.'),
        minAvailable: intOrString('Pods that must stay available (number or percentage).').optional(),
        maxUnavailable: intOrString('Pods that may be unavailable (number or percentage).').optional(),
      }),
      'A PodDisruptionBudget for the gateway pods.',
      [
        {
          cel: '!(has(self.minAvailable) && has(self.maxUnavailable))',
          message: 'set minAvailable or maxUnavailable, not both',
          holds: (b) => countSet(b.minAvailable, b.maxUnavailable) <= 1,
        },
      ],
    ).optional(),
    autoscaling: autoscalingSchema.optional(),
    monitoring: z
      .strictObject({
        serviceMonitor: z
          .strictObject({
            enabled: z
              .boolean()
              .default(false)
              .describe('Render a ServiceMonitor (needs prometheus-operator).'),
            interval: z.string().optional().describe('Scrape interval, such as 30s.'),
            scrapeTimeout: z.string().optional().describe('Scrape timeout, such as 10s.'),
            labels: stringMap('Extra labels on the ServiceMonitor.').optional(),
          })
          .optional()
          .describe('prometheus-operator ServiceMonitor.'),
        prometheusRule: z
          .strictObject({
            enabled: z.boolean().default(false).describe('Render a PrometheusRule with the gateway alerts.'),
            severity: z.string().optional().describe('Severity label of the alerts.'),
          })
          .optional()
          .describe('prometheus-operator PrometheusRule.'),
      })
      .optional()
      .describe('Monitoring objects.'),
    podAnnotations: stringMap('Annotations on the gateway pods.').optional(),
    podLabels: stringMap(
      'Labels on the gateway pods (keys under app.kubernetes.io/ and mcpg.dev/ are reserved).',
    ).optional(),
    pluginSetRef: nameRef(
      'The MCPGPluginSet in the same namespace whose resolved plugins the gateway loads.',
    ).optional(),
    revocationListRef: nameRef('The MCPGRevocationList to enforce; cluster-default when unset.').optional(),
    clusterRef: nameRef(
      'The MCPGCluster coordination backend; the in-process single_node one when unset.',
    ).optional(),
    acceptedRouteNamespaces: z
      .array(dnsLabel)
      .optional()
      .describe('Namespaces whose MCPGRoutes may attach; the gateway’s own namespace is always accepted.'),
    cloud: z
      .strictObject({
        orgSlug: dnsLabel.describe('Organisation slug (DNS label).'),
        instanceSlug: dnsLabel.describe('Instance slug (DNS label).'),
        externalUrl: z
          .string()
          .regex(/^https?:\/\/\S+$/, 'must start with http:// or https://')
          .describe('Public URL.'),
        customDomains: z.array(z.string().max(253)).optional().describe('Extra host names.'),
      })
      .optional()
      .describe('Managed-service settings; self-hosted gateways leave this out.'),
  }),
  'Desired state of an MCP gateway deployment.',
  [
    {
      cel: '!(has(self.ingress) && has(self.cloud))',
      message: 'set ingress or cloud, not both',
      holds: (g) => countSet(g.ingress, g.cloud) <= 1,
    },
  ],
);

export const gatewayStatusSchema = z
  .strictObject({
    ...commonStatusFields,
    replicas: int32('Pods of the gateway Deployment.').optional(),
    readyReplicas: int32('Ready pods.').optional(),
    updatedReplicas: int32('Pods running the current template.').optional(),
    availableReplicas: int32('Available pods.').optional(),
    configHash: z.string().optional().describe('sha256 of the rendered gateway configuration.'),
    pluginSetHash: z.string().optional().describe('sha256 of the plugin list in use.'),
    revocationListHash: z.string().optional().describe('sha256 of the revocation list in use.'),
  })
  .describe('Observed state of the gateway.');

export type GatewaySpec = z.infer<typeof gatewaySpecSchema>;
export type GatewayStatus = z.infer<typeof gatewayStatusSchema>;
