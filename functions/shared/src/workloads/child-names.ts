/**
 * The names of the children the workload kinds create in their namespace, in one place: the builders name
 * their children with it, and the webhook uses it to refuse an object whose children would take names another
 * kind's object already uses (server `foo` and gateway `foo` both want Service `foo`). Names are kept as they
 * always were, since users see them (the gateway's Service name is the host clients dial).
 */
import { labelValue } from '../runtime/ownership.ts';

export type WorkloadKind = 'MCPGServer' | 'MCPGGateway' | 'MCPGInstance';

interface NamingScheme {
  /** The stem every child name starts with. */
  stem: (name: string) => string;
  /** Object names whose stem is `stem` (the inverse of `stem`). */
  namesWithStem: (stem: string) => string[];
  /** Child kind → suffix after the stem. */
  children: Record<string, string>;
}

/** Compiled once: a regular expression literal is a new object each time it is evaluated. */
const LETTER_FIRST = /^[a-z]/;
const startsWithLetter = (name: string) => LETTER_FIRST.test(name);
const LETTER_PREFIX = 'mcpg-';
const INSTANCE_PREFIX = 'mcpgi-';

/** A Service name must start with a letter: names that do not get a prefix. */
const letterFirst: Pick<NamingScheme, 'stem' | 'namesWithStem'> = {
  stem: (name) => (startsWithLetter(name) ? name : `${LETTER_PREFIX}${name}`),
  namesWithStem: (stem) => {
    const names = startsWithLetter(stem) ? [stem] : [];
    const unprefixed = stem.slice(LETTER_PREFIX.length);
    if (stem.startsWith(LETTER_PREFIX) && unprefixed !== '' && !startsWithLetter(unprefixed))
      names.push(unprefixed);
    return names;
  },
};

const SCHEMES: Record<WorkloadKind, NamingScheme> = {
  MCPGServer: {
    ...letterFirst,
    children: { Deployment: '', Service: '', Ingress: '', NetworkPolicy: '' },
  },
  MCPGGateway: {
    ...letterFirst,
    children: {
      Service: '',
      Ingress: '',
      NetworkPolicy: '',
      ServiceMonitor: '',
      PrometheusRule: '',
      ConfigMap: '-config',
      Deployment: '-gateway',
      ServiceAccount: '-gateway',
      HorizontalPodAutoscaler: '-gateway',
      PodDisruptionBudget: '-gateway',
    },
  },
  MCPGInstance: {
    stem: (name) => `${INSTANCE_PREFIX}${name}`,
    namesWithStem: (stem) => (stem.startsWith(INSTANCE_PREFIX) ? [stem.slice(INSTANCE_PREFIX.length)] : []),
    children: { Pod: '', Service: '' },
  },
};

export const WORKLOAD_KINDS = Object.keys(SCHEMES) as WorkloadKind[];

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return kind in SCHEMES;
}

/** The name of one child of an object: a DNS label, shortened with a hash past 63 characters. */
export function childNameOf(kind: WorkloadKind, name: string, childKind: string): string {
  const scheme = SCHEMES[kind];
  const suffix = scheme.children[childKind];
  if (suffix === undefined) throw new Error(`${kind} has no ${childKind} child`);
  return labelValue(`${scheme.stem(name)}${suffix}`);
}

export interface ChildName {
  kind: string;
  name: string;
}

/** Every child name an object of `kind` called `name` may use in its namespace. */
export function childNamesOf(kind: WorkloadKind, name: string): ChildName[] {
  return Object.keys(SCHEMES[kind].children).map((child) => ({
    kind: child,
    name: childNameOf(kind, name, child),
  }));
}

export interface NameClash {
  /** The other object that would use the same child name. */
  owner: { kind: WorkloadKind; name: string };
  child: ChildName;
}

/**
 * Per kind, each child kind it shares with another workload kind, that kind, and the suffix of each: only those
 * names can clash.
 */
const SHARED_CHILDREN = Object.fromEntries(
  WORKLOAD_KINDS.map((kind) => [
    kind,
    Object.entries(SCHEMES[kind].children).flatMap(([child, suffix]) =>
      WORKLOAD_KINDS.flatMap((other) => {
        const otherSuffix = SCHEMES[other].children[child];
        return other !== kind && otherSuffix !== undefined ? [{ child, suffix, other, otherSuffix }] : [];
      }),
    ),
  ]),
) as Record<WorkloadKind, { child: string; suffix: string; other: WorkloadKind; otherSuffix: string }[]>;

/**
 * Objects of the other workload kinds that, if they exist in the same namespace, would use one of the child
 * names `kind`/`name` needs. Names shortened with a hash cannot be inverted and are left to the reconciler,
 * which refuses to take over a child another object controls.
 */
export function possibleClashes(kind: WorkloadKind, name: string): NameClash[] {
  // The webhook runs this on every create of a workload object: only the shared child kinds are looked at, and
  // the stem is derived once.
  const clashes: NameClash[] = [];
  const stem = SCHEMES[kind].stem(name);
  for (const { child: childKind, suffix, other, otherSuffix } of SHARED_CHILDREN[kind]) {
    const childName = labelValue(`${stem}${suffix}`);
    if (!childName.endsWith(otherSuffix)) continue;
    const child = { kind: childKind, name: childName };
    for (const candidate of SCHEMES[other].namesWithStem(
      childName.slice(0, childName.length - otherSuffix.length),
    ))
      if (childNameOf(other, candidate, childKind) === childName)
        clashes.push({ owner: { kind: other, name: candidate }, child });
  }
  return clashes;
}
