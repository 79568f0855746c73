import type { InstanceSpec } from '@mcpg-functions/shared/api';
import { checkReferences, secretRead, type Reference } from './access.ts';
import type { CrossObjectRule } from './context.ts';
import { serverReferences } from './server.ts';

/**
 * An instance's pod reads the subject's Secret and, from its server template, everything that server's pods use:
 * its author must be able to use all of it, or an instance would borrow what only the server's author may use.
 */
export const instanceRules: CrossObjectRule<InstanceSpec> = async (context) => {
  const template = context.spec.serverTemplateRef?.name;
  const server =
    template && context.namespace ? await context.lookups.server(context.namespace, template) : undefined;
  const borrowed = (server ? serverReferences(server.spec) : []).map((r) => ({
    ...r,
    path: 'spec.serverTemplateRef',
    what: `MCPGServer ${template ?? ''}, whose ${r.path} names ${r.what}`,
  }));
  const references = (spec: InstanceSpec): Reference[] => [
    ...(spec.secretName ? [secretRead('spec.secretName', spec.secretName)] : []),
    ...(spec.serverTemplateRef?.name === template ? borrowed : []),
  ];
  return checkReferences(context, references);
};
