import { describe, expect, it } from 'vitest';
import { buildRecipe, sourceAnnotations } from '../../../images/builder/build.ts';
import { recipes, runtimeLayer } from '../../../images/builder/catalog.ts';

/** Builds an image from scratch (its own Node.js layer, bundle or Go build) and returns its manifest digest. */
async function digestOf(name: string): Promise<string> {
  const recipe = recipes().find((r) => r.name === name);
  if (!recipe) throw new Error(`no image named ${name} in the catalog`);
  const { image } = await buildRecipe(recipe, runtimeLayer(), await sourceAnnotations());
  return image.manifest.descriptor.digest;
}

// The images are reproducible: two builds of the same commit, each bundling, compiling and compressing afresh,
// give the same manifest digest, so a digest can be rebuilt and checked by anyone.
describe('the project’s images', () => {
  it.each(['server', 'stdio-bridge'])(
    '%s: two builds from the same source give the same digest',
    async (name) => {
      const first = await digestOf(name);
      const second = await digestOf(name);
      expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(second).toBe(first);
    },
    300_000,
  );
});
