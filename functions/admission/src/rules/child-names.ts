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

/** Clashes grouped by the object that would hold the child, in order of appearance (a handful at most). */
function byOwner(clashes: NameClash[]): NameClash[][] {
  const groups: NameClash[][] = [];
  for (const clash of clashes) {
    const { kind, name } = clash.owner;
    const group = groups.find(([first]) => first?.owner.kind === kind && first.owner.name === name);
    if (group) group.push(clash);
    else groups.push([clash]);
  }
  return groups;
}

export async function childNameRule(
  kind: WorkloadKind,
  { name, namespace, lookups }: Pick<RuleContext<unknown>, 'name' | 'namespace' | 'lookups'>,
): Promise<RuleFindings> {
  if (!namespace) return NOTHING;
  const errors: FieldError[] = [];
  for (const clashes of byOwner(possibleClashes(kind, name))) {
    const { kind: ownerKind, name: ownerName } = (clashes[0] as NameClash).owner;
    if (!(await lookups.exists(ownerKind, namespace, ownerName))) continue;
    const children = clashes.map((c) => `${c.child.kind} ${c.child.name}`).join(', ');
    errors.push({
      path: 'metadata.name',
      message: `${kind} ${name} would need ${children}, which ${ownerKind} ${ownerName} in namespace ${namespace} already uses; choose another name`,
    });
  }
  return errors.length === 0 ? NOTHING : { errors, warnings: [] };
}
