/**
 * The generated part of the Helm chart (chart/templates/generated/), from the same declarations as crds/ and
 * knative/: the CRDs, each function's Knative wiring, and the webhook's configuration and RBAC. Values the
 * user sets appear as template expressions in the generated objects; the rest of the chart is written by hand.
 */
import { renderCrds } from '../functions/shared/src/crd/render.ts';
import { ADMISSION_RULES } from '../functions/admission/src/rbac.ts';
import { buildWebhookConfiguration } from '../functions/admission/src/webhook-configuration.ts';
import { functionTemplate, valuesKey } from './chart-functions.ts';
import { renderValuesSchema } from './chart-values.ts';
import { HEADER, RELEASE_NAMESPACE, yaml } from './chart-yaml.ts';
import { wirings } from './knative-manifests.ts';

export const GENERATED_DIR = 'templates/generated';
const ANNOTATIONS_MARKER = 'mcpg-annotations-marker';
const ADMISSION = '{{ include "mcpg.fullname" . }}-admission';

/** Helm would read a `{{` in a description or CEL rule as a template action; refuse rather than mangle it. */
function literal(text: string, what: string): string {
  if (text.includes('{{')) throw new Error(`${what} contains "{{", which Helm would try to evaluate`);
  return text;
}

function crdTemplates(): Map<string, string> {
  return new Map(
    [...renderCrds()].map(([file, text]) => {
      const body = literal(text, file)
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .join('\n')
        // Deleting a CRD deletes every object of its kind: uninstalling the chart leaves them in place.
        .replace(/^metadata:\n/m, 'metadata:\n  annotations:\n    helm.sh/resource-policy: keep\n')
        .replace(/^ {2}labels:\n/m, '  labels:\n    {{- include "mcpg.releaseLabels" . | nindent 4 }}\n');
      return [`crd-${file}`, `${HEADER}{{- if .Values.crds.install }}\n${body}{{- end }}\n`];
    }),
  );
}

const RELEASE_LABELS = 'mcpg-release-labels-marker';

function admissionTemplate(): string {
  const labels = {
    'app.kubernetes.io/name': '{{ include "mcpg.name" . }}-admission',
    'app.kubernetes.io/part-of': 'mcpg',
    [RELEASE_LABELS]: 'x',
  };
  const webhook = buildWebhookConfiguration({
    name: ADMISSION,
    target: {
      service: { namespace: RELEASE_NAMESPACE, name: ADMISSION, port: 443 },
      caBundle: '{{ .Values.admission.tls.caBundle }}',
    },
    labels,
  });
  Object.assign(webhook, {
    metadata: { ...(webhook.metadata as object), annotations: ANNOTATIONS_MARKER },
    webhooks: (webhook.webhooks as Record<string, unknown>[]).map((w) => ({
      ...w,
      failurePolicy: '{{ .Values.admission.failurePolicy }}',
      timeoutSeconds: '{{ .Values.admission.timeoutSeconds }}',
    })),
  });
  // The webhook reads any MCPG object (tenants and namespaces through watches), asks the authorizer about the
  // requesting user, and never writes.
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: ADMISSION, labels },
    rules: ADMISSION_RULES,
  };
  const annotations = [
    '  {{- if .Values.admission.certManager.enabled }}',
    '  annotations:',
    `    cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/${ADMISSION}`,
    '  {{- end }}',
    '',
  ].join('\n');
  const text = (objects: object[]) =>
    yaml(objects)
      .replace(`  annotations: ${ANNOTATIONS_MARKER}\n`, annotations)
      .replaceAll(`    ${RELEASE_LABELS}: x\n`, '    {{- include "mcpg.releaseLabels" . | nindent 4 }}\n')
      // Numbers from values stay numbers once rendered.
      .replaceAll(
        `timeoutSeconds: "{{ .Values.admission.timeoutSeconds }}"`,
        'timeoutSeconds: {{ .Values.admission.timeoutSeconds }}',
      );
  const body = `{{- if .Values.rbac.create }}\n${text([role])}---\n{{- end }}\n${text([webhook])}`;
  return `${HEADER}{{- if .Values.admission.enabled }}\n${body}{{- end }}\n`;
}

export const SCHEMA_FILE = 'values.schema.json';

/** chart/values.schema.json: the values of the chart with these functions. */
export async function renderChartSchema(): Promise<string> {
  return renderValuesSchema((await wirings()).map((w) => valuesKey(w.name)));
}

/** File name under chart/templates/generated/ → content. */
export async function renderChart(): Promise<Map<string, string>> {
  const all = await wirings();
  const functions = all.map((w) => [`function-${w.name}.yaml`, functionTemplate(w, all)] as const);
  return new Map([...crdTemplates(), ...functions, ['admission.yaml', admissionTemplate()]]);
}
