import type { ServerSpec } from '@mcpg-functions/shared/api';
import { checkReferences, configMapRead, secretRead, serviceAccountUse, type Reference } from './access.ts';
import { combine, type CrossObjectRule } from './context.ts';
import { checkIngress, type IngressRequest } from './ingress.ts';

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

export function serverIngress(spec: ServerSpec): IngressRequest | undefined {
  const ingress = spec.ingress;
  if (!ingress) return undefined;
  return {
    path: 'spec.ingress',
    classField: 'spec.ingress.className',
    className: ingress.className,
    annotations: ingress.annotations,
    hosts: ingress.host ? [{ path: 'spec.ingress.host', host: ingress.host }] : [],
  };
}

/** A server's pods may use only what its author may use; its Ingress follows the operator's settings. */
export const serverRules: CrossObjectRule<ServerSpec> = async (context) =>
  combine(await checkReferences(context, serverReferences), await checkIngress(context, serverIngress));
