import type { ServerSpec } from '@mcpg-functions/shared/api';
import { checkReferences, configMapRead, secretRead, serviceAccountUse, type Reference } from './access.ts';
import { combine, NOTHING, type CrossObjectRule, type RuleContext } from './context.ts';
import { serverIngressRequest } from '@mcpg-functions/shared/workloads';
import { checkIngress } from './ingress.ts';
import { unwatchedSourceWarnings, type FollowedSource } from './watched.ts';

/** Every field of a server that makes its pods act with, or read, something of the namespace. */
export function serverReferences(spec: ServerSpec): Reference[] {
  return [
    ...(spec.serviceAccountName
      ? [serviceAccountUse('spec.serviceAccountName', spec.serviceAccountName)]
      : []),
    ...(spec.envFrom ?? []).flatMap((from, i) => [
      ...(from.secretRef ? [secretRead(`spec.envFrom[${i}].secretRef.name`, from.secretRef.name)] : []),
      ...(from.configMapRef
        ? [configMapRead(`spec.envFrom[${i}].configMapRef.name`, from.configMapRef.name)]
        : []),
    ]),
    ...(spec.envFromSecrets ?? []).map((name, i) => secretRead(`spec.envFromSecrets[${i}]`, name)),
    ...(spec.imagePullSecrets ?? []).map((s, i) => secretRead(`spec.imagePullSecrets[${i}].name`, s.name)),
    ...(spec.ingress?.tls ? [secretRead('spec.ingress.tls.secretName', spec.ingress.tls.secretName)] : []),
    ...(spec.verify?.cosignKeyRef
      ? [secretRead('spec.verify.cosignKeyRef.secretName', spec.verify.cosignKeyRef.secretName)]
      : []),
  ];
}

/** What the server function (environment hash) and the supply-chain function (pulls, keys) follow. */
export function serverFollowedSources(spec: ServerSpec): FollowedSource[] {
  const secret = (path: string, name: string): FollowedSource => ({ path, kind: 'Secret', name });
  return [
    ...(spec.envFrom ?? []).flatMap((from, i): FollowedSource[] => [
      ...(from.secretRef ? [secret(`spec.envFrom[${i}].secretRef`, from.secretRef.name)] : []),
      ...(from.configMapRef
        ? [
            {
              path: `spec.envFrom[${i}].configMapRef`,
              kind: 'ConfigMap' as const,
              name: from.configMapRef.name,
            },
          ]
        : []),
    ]),
    ...(spec.envFromSecrets ?? []).map((name, i) => secret(`spec.envFromSecrets[${i}]`, name)),
    ...(spec.imagePullSecrets ?? []).map((s, i) => secret(`spec.imagePullSecrets[${i}]`, s.name)),
    ...(spec.verify?.cosignKeyRef
      ? [secret('spec.verify.cosignKeyRef', spec.verify.cosignKeyRef.secretName)]
      : []),
  ];
}

/** Warned about only once the author's rights to them are settled, so no warning tells of a Secret they may not read. */
async function followedWarnings(context: RuleContext<ServerSpec>) {
  if (!context.namespace) return NOTHING;
  const before = context.oldSpec === undefined ? [] : serverFollowedSources(context.oldSpec);
  return unwatchedSourceWarnings(context.lookups, {
    namespace: context.namespace,
    sources: serverFollowedSources(context.spec),
    before,
  });
}

/** A server's pods may use only what its author may use; its Ingress follows the operator's settings. */
export const serverRules: CrossObjectRule<ServerSpec> = async (context) => {
  const rights = await checkReferences(context, serverReferences);
  return combine(
    rights,
    await checkIngress(context, serverIngressRequest),
    rights.errors.length === 0 ? await followedWarnings(context) : NOTHING,
  );
};
