/** The chart rendered and installed with the real helm binary, as a platform engineer runs it. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, toolPath } from '../../cluster/tools.ts';

export type Rendered = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  subjects?: { name: string }[];
  webhooks?: { clientConfig: { service: { namespace: string; name: string }; caBundle?: string }; failurePolicy: string }[];
};

export const chart = path.join(REPO_ROOT, 'chart');
export const helm = (args: string[]) =>
  promisify(execFile)(toolPath('helm'), args, { maxBuffer: 32 * 1024 * 1024 }).then((r) => r.stdout);

/** `helm template` with --set values (and --set-json for structured ones). */
export async function render(
  values: Record<string, string> = {},
  extraApis: string[] = [],
  jsonValues: Record<string, unknown> = {},
): Promise<{ text: string; objects: Rendered[] }> {
  const sets = [
    ...Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ...Object.entries(jsonValues).flatMap(([k, v]) => ['--set-json', `${k}=${JSON.stringify(v)}`]),
  ];
  const apis = extraApis.flatMap((api) => ['--api-versions', api]);
  const text = await helm(['template', 'mcpg', chart, '-n', 'mcpg-system', '--kube-version', '1.36.3', ...apis, ...sets]);
  const objects = parseAllDocuments(text)
    .map((d) => d.toJS() as Rendered | null)
    .filter((o): o is Rendered => o !== null);
  return { text, objects };
}

export const names = (objects: Rendered[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);
export const PROVIDED_TLS = { 'admission.certManager.enabled': 'false', 'admission.tls.caBundle': 'Q0E=' };

type Pod = {
  serviceAccountName?: string;
  imagePullSecrets?: { name: string }[];
  volumes?: unknown[];
  [field: string]: unknown;
  containers: { image: string; imagePullPolicy?: string; env: { name: string; value: string }[]; volumeMounts?: unknown[]; [field: string]: unknown }[];
};

/** The pod template of a function's Knative Service (or of a Deployment). */
export function podOf(
  objects: Rendered[],
  kind: string,
  name: string,
): { metadata: { annotations?: Record<string, string>; labels?: Record<string, string> }; spec: Pod } {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} was not rendered`);
  return (found.spec as { template: ReturnType<typeof podOf> }).template;
}
