/**
 * One function's chart template, from the same wiring as knative/<name>.yaml: the objects are built by
 * functionManifests, then the parts a chart user sets are swapped for template expressions (names from the
 * release, the function's values, pod settings) before they are printed. Where a value becomes a whole YAML block
 * (a list, an optional field), a marker string stands in the object and is replaced by a Helm block afterwards,
 * at the indentation the YAML printer gave it.
 */
import {
  eventSources,
  functionManifests,
  ownAddress,
  sourceAccount,
  watchedSourceAccounts,
  type FunctionWiring,
} from '../functions/shared/src/knative/index.ts';
import { HEADER, RELEASE_NAMESPACE, yaml } from './chart-yaml.ts';

type Manifest = Record<string, unknown>;
type Metadata = { name: string; labels?: Record<string, string>; annotations?: unknown };
type Container = Record<string, unknown> & { env: unknown[] };
type Pod = Record<string, unknown> & { containers: Container[] };
type KnativeService = { spec: { template: { metadata: Metadata; spec: Pod } } };

const FN = '$fn';
const MARKER = 'mcpg-chart-marker';
const FULLNAME = '{{ include "mcpg.fullname" $ }}';
const LABELS_MARKER = `${MARKER}-labels`;

/** The values key of a function: functions.pluginSet for plugin-set. */
export function valuesKey(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Helm blocks by marker, each left out when its value is empty: lists at the key's indentation, maps deeper. */
const BLOCKS: Record<string, { expr: string; shape: 'list' | 'map' | 'scalar' }> = {
  volumeMounts: { expr: `${FN}.volumeMounts`, shape: 'list' },
  volumes: { expr: `${FN}.volumes`, shape: 'list' },
  imagePullSecrets: { expr: '$.Values.imagePullSecrets', shape: 'list' },
  tolerations: { expr: `${FN}.tolerations`, shape: 'list' },
  nodeSelector: { expr: `${FN}.nodeSelector`, shape: 'map' },
  affinity: { expr: `${FN}.affinity`, shape: 'map' },
  securityContext: { expr: `${FN}.podSecurityContext`, shape: 'map' },
  resources: { expr: `${FN}.resources`, shape: 'map' },
  containerSecurityContext: { expr: `${FN}.securityContext`, shape: 'map' },
  serviceAccountAnnotations: { expr: `${FN}.serviceAccount.annotations`, shape: 'map' },
  priorityClassName: { expr: `${FN}.priorityClassName`, shape: 'scalar' },
};

const block = (name: string) => `${MARKER}-${name}`;

/** The runtime settings a function's values (or functionDefaults) give, and the variable each sets. */
export const RUNTIME_ENV = {
  resyncConcurrency: 'MCPG_RESYNC_CONCURRENCY',
  resyncDeadlineSeconds: 'MCPG_RESYNC_DEADLINE_SECONDS',
  resyncPageSize: 'MCPG_RESYNC_PAGE_SIZE',
  resyncShardsInFlight: 'MCPG_RESYNC_SHARDS_IN_FLIGHT',
  shutdownGraceSeconds: 'MCPG_SHUTDOWN_GRACE_SECONDS',
  memorySeconds: 'MCPG_MEMORY_SECONDS',
  eventHoldMs: 'MCPG_EVENT_HOLD_MS',
  pendingObjects: 'MCPG_PENDING_OBJECTS',
} as const;

/** `mcpg-server`, `mcpg-server-source`, `mcpg-server-resync` → the release's prefix in their place. */
function releaseNames(value: unknown, names: readonly string[]): unknown {
  if (typeof value === 'string')
    return names.includes(value) ? `${FULLNAME}${value.slice('mcpg'.length)}` : value;
  if (Array.isArray(value)) return value.map((item) => releaseNames(item, names));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, key === 'labels' ? item : releaseNames(item, names)]),
  );
}

/** The names the chart gives after the release: the function's Service, PingSource, and each event source. */
function ownNames(wiring: FunctionWiring): { own: string; sourceAccounts: string[]; all: string[] } {
  const own = `mcpg-${wiring.name}`;
  const sources = eventSources(wiring);
  const sourceAccounts = sources.map(sourceAccount);
  return {
    own,
    sourceAccounts,
    all: [own, `${own}-resync`, ...sources.flatMap((s) => [s.name, `${s.name}-direct`]), ...sourceAccounts],
  };
}

function withReleaseLabels(object: Manifest): void {
  const metadata = object.metadata as Metadata;
  metadata.labels = { ...metadata.labels, [LABELS_MARKER]: 'x' };
}

/** The function's ServiceAccount as its values say: created or not, named, annotated. */
function serviceAccount(objects: Manifest[], account: string, own: string): void {
  for (const object of objects) {
    const metadata = object.metadata as Metadata;
    if (object.kind === 'ServiceAccount' && metadata.name === own) {
      metadata.name = account;
      metadata.annotations = block('serviceAccountAnnotations');
    }
    if (object.kind === 'ClusterRoleBinding' && metadata.name === own)
      (object.subjects as { name: string }[]).forEach((subject) => (subject.name = account));
  }
}

/** The Knative Service's pod: the function's values, the release's pull secrets, labels and annotations. */
function podSettings(service: KnativeService, name: string, account: string): void {
  const { metadata, spec: pod } = service.spec.template;
  metadata.labels = { ...metadata.labels, [LABELS_MARKER]: 'x' };
  metadata.annotations = { ...(metadata.annotations as object), [block('podAnnotations')]: 'x' };
  const [container] = pod.containers;
  if (!container) throw new Error(`${name}: the function Service has no container`);
  container.image = `{{ include "mcpg.image" (list $ "${name}" ${FN}.image) }}`;
  container.imagePullPolicy = `{{ ${FN}.image.pullPolicy | default $.Values.image.pullPolicy }}`;
  // The resync's shards go to the release's own Service.
  const sink = container.env.find((e) => (e as { name: string }).name === 'MCPG_RESYNC_SHARD_SINK');
  if (sink)
    (sink as { value: string }).value = ownAddress(`${FULLNAME}-${name}`, '{{ $.Release.Namespace }}');
  container.env.push({ name: block('env'), value: 'x' });
  container.resources = block('resources');
  container.securityContext = block('containerSecurityContext');
  container.volumeMounts = block('volumeMounts');
  pod.serviceAccountName = account;
  const fields = ['imagePullSecrets', 'priorityClassName', 'nodeSelector', 'tolerations', 'affinity'];
  for (const field of [...fields, 'securityContext', 'volumes']) pod[field] = block(field);
}

/** A Helm block rendered only when `expr` is not empty, with `.` bound to it. */
const helmWith = (indent: string, expr: string, line: string) =>
  `${indent}{{- with ${expr} }}\n${line}\n${indent}{{- end }}\n`;
const toYaml = (indent: string, depth: number) => `${indent}{{- toYaml . | nindent ${depth} }}`;

/** Replaces every marker with its Helm block. */
function renderBlocks(text: string): string {
  return text
    .replace(
      new RegExp(`^( *)${LABELS_MARKER}: x\n`, 'gm'),
      (_, indent: string) => `${indent}{{- include "mcpg.releaseLabels" $ | nindent ${indent.length} }}\n`,
    )
    .replace(new RegExp(`^( *)- name: ${MARKER}-env\n *value: x\n`, 'm'), (_, indent: string) =>
      helmWith(indent, `${FN}.env`, toYaml(indent, indent.length)),
    )
    .replace(new RegExp(`^( *)${MARKER}-podAnnotations: x\n`, 'm'), (_, indent: string) =>
      helmWith(indent, `${FN}.podAnnotations`, toYaml(indent, indent.length)),
    )
    .replace(
      new RegExp(`^( *)(\\w+): ${MARKER}-(\\w+)\n`, 'gm'),
      (_, indent: string, field: string, name: string) => {
        const found = BLOCKS[name];
        if (!found) throw new Error(`no chart block named ${name}`);
        const depth = indent.length + (found.shape === 'map' ? 2 : 0);
        const line =
          found.shape === 'scalar'
            ? `${indent}${field}: {{ . | quote }}`
            : `${indent}${field}:\n${toYaml(indent, depth)}`;
        return helmWith(indent, found.expr, line);
      },
    );
}

const ADAPTER_IMAGE = 'include "mcpg.eventingAdapterImage" $';

/**
 * When each object is rendered: the ServiceAccount as its values say, RBAC with rbac.create, a direct adapter
 * when its image is known.
 */
function condition(object: Manifest, sourceAccounts: readonly string[]): string | undefined {
  const metadata = object.metadata as Metadata;
  if (object.kind === 'ContainerSource') return ADAPTER_IMAGE;
  if (object.kind === 'ServiceAccount' && !sourceAccounts.includes(metadata.name))
    return `${FN}.serviceAccount.create`;
  if (['ClusterRole', 'ClusterRoleBinding', 'RoleBinding'].includes(object.kind as string))
    return '$.Values.rbac.create';
  return undefined;
}

/** The webhook's Ingress settings, applied again by the functions that render Ingresses. */
const INGRESS_POLICY_ENV = [
  { name: 'MCPG_INGRESS_CLASSES', value: '{{ join "," $.Values.admission.ingress.classes }}' },
  {
    name: 'MCPG_INGRESS_ANNOTATIONS_ALLOWED',
    value: '{{ join "," $.Values.admission.ingress.annotations.allowed }}',
  },
  {
    name: 'MCPG_INGRESS_ANNOTATIONS_DENIED',
    value: '{{ join "," $.Values.admission.ingress.annotations.denied }}',
  },
];

/** Every function's watched source under the release's names, for a function that binds them. */
function releaseWatchedSources(wirings: readonly FunctionWiring[]) {
  return watchedSourceAccounts(wirings, RELEASE_NAMESPACE).map((account) => ({
    ...account,
    name: `${FULLNAME}${account.name.slice('mcpg'.length)}`,
  }));
}

export function functionTemplate(wiring: FunctionWiring, wirings: readonly FunctionWiring[]): string {
  const { name } = wiring;
  const { own, sourceAccounts, all } = ownNames(wiring);
  const account = `{{ include "mcpg.serviceAccountName" (list $ "${name}" ${FN}) }}`;
  const built = functionManifests(wiring, {
    namespace: RELEASE_NAMESPACE,
    image: 'set below',
    logLevel: '{{ $.Values.logLevel }}',
    maxScale: `{{ ${FN}.maxScale }}`,
    resyncSchedule: `{{ ${FN}.resyncSchedule }}`,
    env: [
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: '{{ $.Values.tracing.otlpEndpoint }}' },
      ...Object.entries(RUNTIME_ENV).map(([key, variable]) => ({
        name: variable,
        value: `{{ ${FN}.${key} }}`,
      })),
      ...(wiring.rendersIngresses ? INGRESS_POLICY_ENV : []),
    ],
    watchedSources: releaseWatchedSources(wirings),
    adapterImage: `{{ ${ADAPTER_IMAGE} }}`,
  });
  const conditions = built.map((object) => condition(object, sourceAccounts));
  serviceAccount(built, account, own);
  const objects = built.map((object) => releaseNames(object, all) as Manifest);
  objects.forEach(withReleaseLabels);
  const service = objects.find((o) => o.kind === 'Service') as KnativeService | undefined;
  if (!service) throw new Error(`${name}: no Knative Service in its wiring`);
  podSettings(service, name, account);
  const documents = objects.map((object, index) => {
    const text = `---\n${renderBlocks(yaml([object]))}`;
    const when = conditions[index];
    return when ? `{{- if ${when} }}\n${text}{{- end }}\n` : text;
  });
  const body = documents.join('');
  if (body.includes(MARKER)) throw new Error(`${name}: a chart value marker was left unreplaced`);
  const values = `{{- ${FN} := include "mcpg.functionValues" (list $ "${valuesKey(name)}") | fromYaml }}`;
  return `${HEADER}${values}\n{{- if ${FN}.enabled }}\n${body}{{- end }}\n`;
}
