/**
 * The custom-resource-state configuration of kube-state-metrics for the ten kinds: fleet gauges that need no
 * running function (a function scaled to zero has nothing to scrape), derived from the same structural schemas
 * as the CRDs. Every scalar of a status becomes a series by rule; the few spec fields and lists worth a series
 * are named per kind below and checked against the schema, so a renamed field fails the generation.
 */
import { Document, isScalar, visit } from 'yaml';
import { GROUP, VERSION } from '../api/common.ts';
import { KINDS, type KindDefinition } from '../api/kinds.ts';
import { toStructuralSchema, type JsonSchema } from './structural.ts';

type Path = string[];

/** One metric of a resource, in kube-state-metrics' configuration format. */
export interface KsmMetric {
  name: string;
  help: string;
  /** The klog verbosity at which kube-state-metrics logs this metric's errors (0: always). */
  errorLogV?: number;
  each:
    | { type: 'Gauge'; gauge: { path: Path; nilIsZero?: boolean } }
    | {
        type: 'StateSet';
        stateSet: { path: Path; labelName: string; list: string[]; valueFrom?: Path } & Labels;
      }
    | { type: 'Info'; info: { path: Path } & Labels };
}
type Labels = { labelsFromPath?: Record<string, Path> };

export interface KsmResource {
  groupVersionKind: { group: string; version: string; kind: string };
  resourcePlural: string;
  metricNamePrefix: string;
  labelsFromPath: Record<string, Path>;
  metrics: KsmMetric[];
}

/** What a kind adds to the series its status gives by rule. */
interface KindExtras {
  /** Labels of `_info` besides name, namespace and uid: label → path from the object's root. */
  info?: Record<string, Path>;
  /** Numeric or boolean spec fields, as `spec_<field>` gauges. */
  spec?: Path[];
  /** Arrays whose entries each become an `_info` series: metric name → path and label → path in the entry. */
  lists?: Record<string, { path: Path; labels: Record<string, Path> }>;
}

const EXTRAS: Record<string, KindExtras> = {
  MCPGGateway: {
    info: {
      plugin_set: ['spec', 'pluginSetRef', 'name'],
      cluster: ['spec', 'clusterRef', 'name'],
      revocation_list: ['spec', 'revocationListRef', 'name'],
    },
    spec: [['replicas'], ['autoscaling', 'enabled'], ['autoscaling', 'minReplicas']],
  },
  MCPGPluginSet: {
    lists: {
      spec_entry_info: {
        path: ['spec', 'entries'],
        labels: { id: ['id'], plugin: ['pluginRef', 'name'], enabled: ['enabled'] },
      },
      status_failed_entry_info: {
        path: ['status', 'failedEntries'],
        labels: { id: ['id'], reason: ['reason'] },
      },
    },
  },
  MCPGRoute: {
    info: { gateway: ['spec', 'gatewayRef', 'name'], gateway_namespace: ['spec', 'gatewayRef', 'namespace'] },
  },
  MCPGServer: { info: { transport: ['spec', 'transport'] }, spec: [['replicas']] },
  MCPGInstance: {
    // Not the subject key: it names a person or group, and the object's name already tells instances apart.
    info: { server_template: ['spec', 'serverTemplateRef', 'name'], isolation: ['spec', 'isolation'] },
  },
  MCPGPlugin: {
    info: {
      plugin_id: ['spec', 'pluginId'],
      version: ['spec', 'version'],
      plugin_class: ['spec', 'pluginClass'],
    },
  },
  MCPGCluster: { info: { backend: ['spec', 'backend'] } },
  MCPGTenant: {
    spec: [
      ['quotas', 'maxGateways'],
      ['quotas', 'maxPluginSets'],
      ['quotas', 'maxRoutes'],
    ],
  },
};

const CONDITION_STATUSES = ['True', 'False', 'Unknown'];

/** `readyReplicas` → `ready_replicas`. */
export function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The prefix of a kind's series: MCPGPluginSet → mcpg_pluginset. */
export function metricPrefix(kind: KindDefinition): string {
  return `${PREFIX}_${kind.singular.replace(/^mcpg/, '')}`;
}
const PREFIX = 'mcpg';

function helpOf(node: JsonSchema, fallback: string): string {
  return typeof node.description === 'string' ? node.description : fallback;
}

function schemaAt(root: JsonSchema, path: Path, what: string): JsonSchema {
  return walk(root, path, what).node;
}

/** The schema of a field, and whether the API server always stores it (required or defaulted all the way). */
function walk(root: JsonSchema, path: Path, what: string): { node: JsonSchema; always: boolean } {
  let node = root;
  let always = true;
  for (const part of path) {
    const child = (node.properties as Record<string, JsonSchema> | undefined)?.[part];
    if (!child) throw new Error(`${what}: the schema has no field ${path.join('.')}`);
    const required = Array.isArray(node.required) && node.required.includes(part);
    always &&= required || child.default !== undefined;
    node = child;
  }
  return { node, always };
}

/**
 * How a gauge treats an absent field: `zero` reads it as 0; `optional` gives no series, and since kube-state-metrics
 * reports an unresolved path as an error, the error is left to verbose logs (a server without a verify policy has
 * no imageVerification: nothing is wrong); `defaulted` fields are always there, so any error is worth seeing.
 */
type Absent = 'zero' | 'optional' | 'defaulted';
const ABSENT_FIELD_LOG_LEVEL = 4;

function gauge(name: string, help: string, path: Path, absent: Absent): KsmMetric {
  if (absent === 'zero') return { name, help, each: { type: 'Gauge', gauge: { path, nilIsZero: true } } };
  const metric: KsmMetric = { name, help, each: { type: 'Gauge', gauge: { path } } };
  return absent === 'optional' ? { ...metric, errorLogV: ABSENT_FIELD_LOG_LEVEL } : metric;
}

/**
 * The series one field gives by rule: numbers and booleans as gauges, timestamps as `_timestamp_seconds`, enums
 * as a state set with one series per value. Status integers read 0 when absent (Kubernetes omits zero replica
 * counts); booleans and timestamps stay absent, meaning "not evaluated" or "not yet".
 */
function fieldMetric(node: JsonSchema, path: Path, absent: Absent): KsmMetric | undefined {
  const base = path.map(snake).join('_');
  const help = helpOf(node, path.join('.'));
  if (node.type === 'integer' || node.type === 'number') return gauge(base, help, path, absent);
  const unlessSet = absent === 'zero' ? 'optional' : absent;
  if (node.type === 'boolean') return gauge(base, help, path, unlessSet);
  if (node.type === 'string' && node.format === 'date-time') {
    const name = `${base.replace(/_(at|time)$/, '')}_timestamp_seconds`;
    return gauge(name, `${help.replace(/\.$/, '')}, in Unix seconds.`, path, unlessSet);
  }
  if (node.type === 'string' && Array.isArray(node.enum)) {
    const list = node.enum.map(String);
    const labelName = snake(path.at(-1) ?? 'value');
    return { name: base, help, each: { type: 'StateSet', stateSet: { path, labelName, list } } };
  }
  return undefined;
}

/** Every scalar under a status, nested objects included; lists and free text are left out. */
function statusMetrics(node: JsonSchema, path: Path): KsmMetric[] {
  if (node.type !== 'object') {
    const metric = fieldMetric(node, path, 'zero');
    return metric ? [metric] : [];
  }
  return Object.entries((node.properties ?? {}) as Record<string, JsonSchema>).flatMap(([name, child]) =>
    name === 'conditions' ? [] : statusMetrics(child, [...path, name]),
  );
}

function conditionMetric(kind: KindDefinition): KsmMetric {
  return {
    name: 'status_condition',
    help: `The status of each condition of the ${kind.kind} (one series per type and status, 1 for the current one).`,
    each: {
      type: 'StateSet',
      stateSet: {
        path: ['status', 'conditions'],
        labelName: 'status',
        valueFrom: ['status'],
        list: CONDITION_STATUSES,
        labelsFromPath: { type: ['type'], reason: ['reason'] },
      },
    },
  };
}

function infoMetric(kind: KindDefinition, root: JsonSchema, extras: KindExtras): KsmMetric {
  for (const path of Object.values(extras.info ?? {})) schemaAt(root, path, `${kind.kind} info label`);
  return {
    name: 'info',
    help: `One series per ${kind.kind}, labelled with what it references.`,
    // uid: every object has one, so the series exists even when no optional label is set.
    each: { type: 'Info', info: { path: [], labelsFromPath: { uid: ['metadata', 'uid'], ...extras.info } } },
  };
}

function specMetrics(kind: KindDefinition, spec: JsonSchema, extras: KindExtras): KsmMetric[] {
  return (extras.spec ?? []).map((path) => {
    const { node, always } = walk(spec, path, kind.kind);
    const metric = fieldMetric(node, ['spec', ...path], always ? 'defaulted' : 'optional');
    if (!metric || metric.each.type !== 'Gauge')
      throw new Error(`${kind.kind}: spec.${path.join('.')} is not a number or boolean`);
    return metric;
  });
}

function listMetrics(kind: KindDefinition, root: JsonSchema, extras: KindExtras): KsmMetric[] {
  return Object.entries(extras.lists ?? {}).map(([name, { path, labels }]) => {
    const list = schemaAt(root, path, kind.kind);
    if (list.type !== 'array') throw new Error(`${kind.kind}: ${path.join('.')} is not a list`);
    for (const label of Object.values(labels))
      schemaAt(list.items as JsonSchema, label, `${kind.kind} ${name}`);
    return {
      name,
      help: helpOf(list, path.join('.')),
      each: { type: 'Info', info: { path, labelsFromPath: labels } },
    };
  });
}

export function kindResource(kind: KindDefinition): KsmResource {
  const [spec, status] = [toStructuralSchema(kind.spec), toStructuralSchema(kind.status)];
  const root: JsonSchema = { type: 'object', properties: { spec, status } };
  const extras = EXTRAS[kind.kind] ?? {};
  const identity: Record<string, Path> = { name: ['metadata', 'name'] };
  if (kind.scope === 'Namespaced') identity.namespace = ['metadata', 'namespace'];
  const metrics = [
    infoMetric(kind, root, extras),
    gauge(
      'metadata_generation',
      'The generation of the desired state (spec).',
      ['metadata', 'generation'],
      'defaulted',
    ),
    conditionMetric(kind),
    ...statusMetrics(status, ['status']),
    ...specMetrics(kind, spec, extras),
    ...listMetrics(kind, root, extras),
  ];
  // The kind goes into each name rather than the prefix: kube-state-metrics checks the `_info` suffix on names.
  const kindPart = metricPrefix(kind).slice(PREFIX.length + 1);
  return {
    groupVersionKind: { group: GROUP, version: VERSION, kind: kind.kind },
    resourcePlural: kind.plural,
    metricNamePrefix: PREFIX,
    labelsFromPath: identity,
    metrics: metrics.map((m) => ({ ...m, name: `${kindPart}_${m.name}` })),
  };
}

/** The configuration kube-state-metrics takes with --custom-resource-state-config(-file). */
export function customResourceStateConfig(): { kind: string; spec: { resources: KsmResource[] } } {
  return { kind: 'CustomResourceStateMetrics', spec: { resources: KINDS.map(kindResource) } };
}

/** Every series name the configuration makes, as Prometheus sees it. */
export function fleetMetricNames(): string[] {
  return customResourceStateConfig().spec.resources.flatMap((r) =>
    r.metrics.map((m) => `${r.metricNamePrefix}_${m.name}`),
  );
}

export const KSM_CONFIG_HEADER =
  '# Generated from the zod schemas in functions/shared/src/api by `make generate`. Do not edit.\n' +
  '# kube-state-metrics custom resource state metrics for mcpg.dev (docs/metrics.md).\n';

export function renderCustomResourceStateConfig(): string {
  const document = new Document(customResourceStateConfig(), { aliasDuplicateObjects: false });
  // Paths and value lists on one line each: [status, readyReplicas].
  visit(document, {
    Seq(_, node) {
      if (node.items.every(isScalar)) node.flow = true;
    },
  });
  return KSM_CONFIG_HEADER + document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
