/**
 * Every rule that needs no cluster, for one manifest: the schema (types, limits, enums, defaults, the CEL
 * rules' TypeScript twins) and each kind's cross-field checks. The offline validator, the admission
 * webhook and the reconcilers all call this.
 */
import type { ClusterSpec } from './cluster.schema.ts';
import { validateClusterSpec } from './cluster.validation.ts';
import { API_VERSION, dnsSubdomain, GROUP } from './common.ts';
import { issueToErrors, NO_FINDINGS, type FieldError, type ValidationResult } from './field-errors.ts';
import type { GatewaySpec } from './gateway.schema.ts';
import { validateGatewaySpec } from './gateway.validation.ts';
import { CHILD_NAMING_NAME, findKind, type KindDefinition } from './kinds.ts';
import type { PluginSpec } from './plugin.schema.ts';
import { validatePluginSpec } from './plugin.validation.ts';
import type { RouteSpec } from './route.schema.ts';
import { validateRouteSpec } from './route.validation.ts';
import type { ServerSpec } from './server.schema.ts';
import { validateServerSpec } from './server.validation.ts';

/** Cross-field checks per kind, run on the parsed (defaulted) spec once the schema accepts it. */
const SPEC_CHECKS: Record<string, (spec: never) => ValidationResult> = {
  MCPGGateway: (spec: GatewaySpec) => validateGatewaySpec(spec),
  MCPGCluster: (spec: ClusterSpec) => validateClusterSpec(spec),
  MCPGPlugin: (spec: PluginSpec) => validatePluginSpec(spec),
  MCPGRoute: (spec: RouteSpec) => validateRouteSpec(spec),
  MCPGServer: (spec: ServerSpec) => validateServerSpec(spec),
};

/** Compiled once: the webhook checks every review's name with it. */
const CHILD_NAMING = new RegExp(CHILD_NAMING_NAME.pattern);

export interface ParsedManifest {
  kind: KindDefinition;
  name: string;
  namespace: string | undefined;
  /** The spec with schema defaults applied. */
  spec: unknown;
}

export type ManifestResult = ValidationResult & { parsed?: ParsedManifest };

export function validateManifest(manifest: unknown): ManifestResult {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    return fail('', 'must be a Kubernetes object (a YAML mapping with apiVersion, kind, metadata and spec)');
  }
  const object = manifest as Record<string, unknown>;
  const kind = checkType(object);
  if ('errors' in kind) return kind;
  const metadata = checkMetadata(object.metadata, kind);
  const spec = kind.spec.safeParse(object.spec ?? undefined, { reportInput: true });
  if (!spec.success) {
    const errors = spec.error.issues.flatMap((issue) => issueToErrors(issue, 'spec'));
    return { errors: [...metadata.errors, ...errors], warnings: metadata.warnings };
  }
  const extra = (SPEC_CHECKS[kind.kind] ?? (() => NO_FINDINGS))(spec.data as never);
  const errors = [...metadata.errors, ...extra.errors];
  const result = { errors, warnings: [...metadata.warnings, ...extra.warnings] };
  if (errors.length > 0) return result;
  const { name, namespace } = object.metadata as { name: string; namespace?: string };
  return { ...result, parsed: { kind, name, namespace, spec: spec.data } };
}

function fail(path: string, message: string): ValidationResult {
  return { errors: [{ path, message }], warnings: [] };
}

function checkType(object: Record<string, unknown>): KindDefinition | ValidationResult {
  const { apiVersion, kind } = object;
  if (apiVersion === `${GROUP}/v1alpha1`) {
    return fail(
      'apiVersion',
      `is MCPG's ${GROUP}/v1alpha1; change it to ${API_VERSION} (every v1alpha1 field carries over)`,
    );
  }
  if (apiVersion !== API_VERSION) {
    return fail('apiVersion', `must be ${API_VERSION} (got ${JSON.stringify(apiVersion)})`);
  }
  const definition = typeof kind === 'string' ? findKind(kind) : undefined;
  if (!definition) {
    return fail(
      'kind',
      `must be one of the ${GROUP} kinds such as MCPGGateway (got ${JSON.stringify(kind)})`,
    );
  }
  return definition;
}

function checkMetadata(metadata: unknown, kind: KindDefinition): ValidationResult {
  const errors: FieldError[] = [];
  const warnings: string[] = [];
  const meta = (typeof metadata === 'object' && metadata !== null ? metadata : {}) as Record<string, unknown>;
  if (typeof meta.name !== 'string' || meta.name === '') {
    errors.push({ path: 'metadata.name', message: 'is required' });
  } else if (!dnsSubdomain.safeParse(meta.name).success) {
    errors.push({
      path: 'metadata.name',
      message: `must be a lower-case DNS name (letters, digits, "-" and ".") (got ${JSON.stringify(meta.name)})`,
    });
  } else if (kind.namesChildren && !CHILD_NAMING.test(meta.name)) {
    errors.push({
      path: 'metadata.name',
      message: `${CHILD_NAMING_NAME.message.replace(/^metadata\.name /, '')} (got ${JSON.stringify(meta.name)})`,
    });
  }
  if (kind.scope === 'Cluster' && meta.namespace !== undefined) {
    warnings.push(`metadata.namespace is ignored: ${kind.kind} is cluster-scoped`);
  }
  return { errors, warnings };
}
