import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../api/kinds.ts';
import { renderApiReference } from './api-reference.ts';
import { buildCrd } from './crd.ts';
import { renderCrds } from './render.ts';
import type { JsonSchema } from './structural.ts';

const crdDir = path.resolve(import.meta.dirname, '../../../../crds');

describe('generated CRDs and API reference', () => {
  it('match the committed crds/ (run `make generate` after changing a schema)', async () => {
    const committed = (await readdir(crdDir)).filter((f) => f.endsWith('.yaml')).sort();
    const generated = renderCrds();
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [file, text] of generated) {
      expect(await readFile(path.join(crdDir, file), 'utf8'), `crds/${file} is stale`).toBe(text);
    }
  });

  it('match the committed docs/api.md', async () => {
    const committed = await readFile(path.join(crdDir, '../docs/api.md'), 'utf8');
    expect(committed, 'docs/api.md is stale: run `make generate`').toBe(renderApiReference());
  });

  it.each(KINDS.map((k) => [k.kind, k] as const))(
    '%s: every field has a type and a description',
    (_, kind) => {
      const schema = (buildCrd(kind) as { spec: { versions: { schema: { openAPIV3Schema: JsonSchema } }[] } })
        .spec.versions[0]?.schema.openAPIV3Schema;
      const problems: string[] = [];
      walk(schema ?? {}, '', problems);
      expect(problems).toEqual([]);
    },
  );

  it('gives every kind the mcpg category, a short name and a status subresource', () => {
    for (const kind of KINDS) {
      const crd = buildCrd(kind) as {
        spec: {
          names: { categories: string[]; shortNames: string[] };
          versions: { subresources: unknown }[];
        };
      };
      expect(crd.spec.names.categories).toEqual(['mcpg']);
      expect(crd.spec.names.shortNames[0]).toMatch(/^mcpg[a-z]+$/);
      expect(crd.spec.versions[0]?.subresources).toEqual({ status: {} });
    }
  });
});

/** Structural schemas need a type on every node; kubectl explain needs a description on every field. */
function walk(node: JsonSchema, at: string, problems: string[]): void {
  const free =
    node['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-int-or-string'] === true;
  if (!free && node.type === undefined) problems.push(`${at}: no type`);
  const properties = (node.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, child] of Object.entries(properties)) {
    const childPath = `${at}.${name}`;
    const topLevel = ['.apiVersion', '.kind', '.metadata'].includes(childPath);
    if (!topLevel && typeof child.description !== 'string') problems.push(`${childPath}: no description`);
    walk(child, childPath, problems);
  }
  if (node.items) walk(node.items as JsonSchema, `${at}[]`, problems);
  if (typeof node.additionalProperties === 'object')
    walk(node.additionalProperties as JsonSchema, `${at}{}`, problems);
}
