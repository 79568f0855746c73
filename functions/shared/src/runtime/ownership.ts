/** Labels and owner references every child carries (DESIGN §6), computed from the parent alone. */
import { createHash } from 'node:crypto';
import {
  MANAGED_SELECTOR,
  type KubeObject,
  type ObjectClient,
  type ObjectKey,
  type OwnerReference,
} from '../kube/index.ts';

const MAX_LABEL_VALUE = 63;

/** Label values are limited to 63 characters: longer ones keep a prefix and gain a short hash. */
export function labelValue(value: string): string {
  if (value.length <= MAX_LABEL_VALUE) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 10);
  return `${value.slice(0, MAX_LABEL_VALUE - 11).replace(/[-_.]+$/, '')}-${hash}`;
}

/** `mcpg.dev/mcpgserver`: the label naming a child's parent. */
export function parentLabel(kind: string): string {
  return `mcpg.dev/${kind.toLowerCase()}`;
}

export function childLabels(parent: KubeObject, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': parent.kind.toLowerCase(),
    'app.kubernetes.io/instance': labelValue(parent.metadata.name),
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'mcpg',
    'app.kubernetes.io/managed-by': 'mcpg-functions',
    [parentLabel(parent.kind)]: labelValue(parent.metadata.name),
  };
}

/** The label selector that finds every child of a parent. */
export function childSelector(parent: KubeObject): string {
  return `${MANAGED_SELECTOR},${parentLabel(parent.kind)}=${labelValue(parent.metadata.name)}`;
}

export function controllerReference(parent: KubeObject): OwnerReference {
  return {
    apiVersion: parent.apiVersion,
    kind: parent.kind,
    name: parent.metadata.name,
    uid: parent.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Metadata of a child: its name, the parent's namespace, the standard labels and a controller reference. */
export function childMetadata(
  parent: KubeObject,
  child: {
    name: string;
    component: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  },
): KubeObject['metadata'] {
  return {
    name: child.name,
    namespace: parent.metadata.namespace,
    labels: { ...childLabels(parent, child.component), ...child.labels },
    ...(child.annotations ? { annotations: child.annotations } : {}),
    ownerReferences: [controllerReference(parent)],
  };
}

export function isControlledBy(child: KubeObject, parent: KubeObject): boolean {
  return (child.metadata.ownerReferences ?? []).some(
    (ref) => ref.controller === true && ref.uid === parent.metadata.uid,
  );
}

/** sha256 of a JSON value with sorted keys: stable across runs, for content hashes in pod templates. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/**
 * The object controlling another function's child, read live: how a function follows objects Knative cannot
 * watch (a gateway, through its config ConfigMap).
 */
export async function controllerOf(
  key: ObjectKey,
  ownerKind: string,
  client: ObjectClient,
): Promise<ObjectKey | undefined> {
  const child = await client.get(key);
  const owner = child?.metadata.ownerReferences?.find((r) => r.controller && r.kind === ownerKind);
  return (
    owner && { apiVersion: owner.apiVersion, kind: owner.kind, namespace: key.namespace, name: owner.name }
  );
}
