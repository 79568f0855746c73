import { API_VERSION, GROUP, VERSION } from '../api/common.ts';
import { CHILD_NAMING_NAME, type KindDefinition } from '../api/kinds.ts';
import { toStructuralSchema } from './structural.ts';

/** The CustomResourceDefinition of one kind, as the API server takes it. */
export function buildCrd(kind: KindDefinition): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${kind.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'mcpg', 'app.kubernetes.io/managed-by': 'mcpg-functions' },
    },
    spec: {
      group: GROUP,
      scope: kind.scope,
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.singular,
        shortNames: [kind.shortName],
        categories: ['mcpg'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: kind.columns,
          schema: { openAPIV3Schema: rootSchema(kind) },
        },
      ],
    },
  };
}

function rootSchema(kind: KindDefinition): Record<string, unknown> {
  return {
    type: 'object',
    description: kind.description,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: `Always ${API_VERSION}.` },
      kind: { type: 'string', description: `Always ${kind.kind}.` },
      metadata: { type: 'object' },
      spec: toStructuralSchema(kind.spec),
      status: toStructuralSchema(kind.status),
    },
    ...(kind.namesChildren
      ? {
          'x-kubernetes-validations': [
            {
              rule: `self.metadata.name.matches('${CHILD_NAMING_NAME.pattern}')`,
              message: CHILD_NAMING_NAME.message,
            },
          ],
        }
      : {}),
  };
}
