/**
 * The ValidatingWebhookConfiguration that points the API server at this function, built from the kind table
 * so that every kind has its path. Used by the chart generator and by the integration tests.
 */
import { GROUP, KINDS, VERSION } from '@mcpg-functions/shared/api';
import { webhookPath } from './app.ts';
import { SKIP_VALIDATION_LABEL } from './rules/namespace.ts';

interface ServiceRef {
  namespace: string;
  name: string;
  port: number;
}

/** Where the webhook serves: a base URL (`https://host:port`) or an in-cluster Service. */
export type WebhookTarget = { url: string; caBundle: string } | { service: ServiceRef; caBundle?: string };

export interface WebhookConfigurationOptions {
  name: string;
  target: WebhookTarget;
  failurePolicy?: 'Fail' | 'Ignore';
  timeoutSeconds?: number;
  /** Limits every webhook to labelled objects (tests use it to stay in their own lane). */
  objectSelector?: { matchLabels: Record<string, string> };
  labels?: Record<string, string>;
}

function clientConfig(target: WebhookTarget, path: string): Record<string, unknown> {
  if ('url' in target) return { url: `${target.url}${path}`, caBundle: target.caBundle };
  return { service: { ...target.service, path }, ...(target.caBundle ? { caBundle: target.caBundle } : {}) };
}

/** The namespace webhook runs only when the skip-validation label is involved, so namespaces never wait on it. */
const LABEL_INVOLVED = [
  `(has(object.metadata.labels) && '${SKIP_VALIDATION_LABEL}' in object.metadata.labels)`,
  `(oldObject != null && has(oldObject.metadata.labels) && '${SKIP_VALIDATION_LABEL}' in oldObject.metadata.labels)`,
].join(' || ');

export function buildWebhookConfiguration(options: WebhookConfigurationOptions): Record<string, unknown> {
  const common = {
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: options.failurePolicy ?? 'Fail',
    matchPolicy: 'Equivalent',
    timeoutSeconds: options.timeoutSeconds ?? 10,
    ...(options.objectSelector ? { objectSelector: options.objectSelector } : {}),
  };
  const kinds = KINDS.map((kind) => ({
    name: `${kind.plural}.${GROUP}`,
    clientConfig: clientConfig(options.target, webhookPath(kind.kind)),
    rules: [
      {
        apiGroups: [GROUP],
        apiVersions: [VERSION],
        resources: [kind.plural],
        operations: ['CREATE', 'UPDATE'],
        scope: kind.scope === 'Cluster' ? 'Cluster' : 'Namespaced',
      },
    ],
    ...common,
  }));
  const namespaces = {
    name: `namespaces.${GROUP}`,
    clientConfig: clientConfig(options.target, webhookPath('Namespace')),
    rules: [
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        resources: ['namespaces'],
        operations: ['CREATE', 'UPDATE'],
        scope: 'Cluster',
      },
    ],
    matchConditions: [{ name: 'skip-validation-label-involved', expression: LABEL_INVOLVED }],
    ...common,
  };
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: options.name, ...(options.labels ? { labels: options.labels } : {}) },
    webhooks: [...kinds, namespaces],
  };
}
