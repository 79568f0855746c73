/**
 * Children of different kinds never share a name: a new MCPGServer, MCPGGateway or MCPGInstance is refused
 * when an object of another of these kinds in its namespace already uses a child name it needs (server `foo`
 * and gateway `foo` both want Service `foo`). Existing objects keep their children's names, which users see
 * and dial; only the newcomer is asked to pick another name. Checked on creation only, since a name cannot
 * change; two objects created in the same instant both pass, and the second to reconcile then reports
 * Ready=False (ChildNotOwned) instead of taking the other's child.
 */
import type { FieldError } from '@mcpg-functions/shared/api';
import { possibleClashes, type NameClash, type WorkloadKind } from '@mcpg-functions/shared/workloads';
import { NOTHING, type RuleContext, type RuleFindings } from './context.ts';

function byOwner(clashes: NameClash[]): Map<string, NameClash[]> {
  const grouped = new Map<string, NameClash[]>();
  for (const clash of clashes) {
    const owner = `${clash.owner.kind} ${clash.owner.name}`;
    const known = grouped.get(owner);
    if (known) known.push(clash);
    else grouped.set(owner, [clash]);
  }
  return grouped;
}

export async function childNameRule(
  kind: WorkloadKind,
  { name, namespace, lookups }: Pick<RuleContext<unknown>, 'name' | 'namespace' | 'lookups'>,
): Promise<RuleFindings> {
  if (!namespace) return NOTHING;
  const errors: FieldError[] = [];
  for (const [owner, clashes] of byOwner(possibleClashes(kind, name))) {
    const { kind: ownerKind, name: ownerName } = (clashes[0] as NameClash).owner;
    if (!(await lookups.exists(ownerKind, namespace, ownerName))) continue;
    const children = clashes.map((c) => `${c.child.kind} ${c.child.name}`).join(', ');
    errors.push({
      path: 'metadata.name',
      message: `${kind} ${name} would need ${children}, which ${owner} in namespace ${namespace} already uses; choose another name`,
    });
  }
  return { errors, warnings: [] };
}
