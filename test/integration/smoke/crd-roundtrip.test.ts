import { afterAll, describe, expect, it, vi } from 'vitest';
import { apiStatus } from '@mcpg-functions/shared/kube';
import { clients, useNamespace } from '../support/cluster.ts';

const group = 'smoke.mcpg.dev';
const plural = 'gadgets';

// Proves the API server accepts a structural CRD and enforces its schema (defaults and limits).
describe('custom resources on the local control plane', () => {
  const namespace = useNamespace('smoke-crd');
  const { apiextensions, custom } = clients();

  afterAll(async () => {
    await apiextensions.deleteCustomResourceDefinition({ name: `${plural}.${group}` });
  });

  it('accepts a CRD and round-trips a custom object with defaults applied and limits enforced', async () => {
    await apiextensions.createCustomResourceDefinition({
      body: {
        metadata: { name: `${plural}.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural, singular: 'gadget', kind: 'Gadget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: {
                      type: 'object',
                      properties: {
                        size: { type: 'integer', minimum: 1, maximum: 10 },
                        // The generated client names the schema keyword `default` as `_default`.
                        colour: { type: 'string', _default: 'blue' },
                      },
                    },
                  },
                },
              },
            },
          ],
        },
      },
    });
    await vi.waitFor(
      async () => {
        const crd = await apiextensions.readCustomResourceDefinition({ name: `${plural}.${group}` });
        expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).toBe('True');
      },
      { timeout: 20_000, interval: 200 },
    );

    const target = { group, version: 'v1', namespace: namespace.name, plural };
    // Discovery of a new CRD can lag its Established condition by a moment.
    await vi.waitFor(
      () =>
        custom.createNamespacedCustomObject({
          ...target,
          body: { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'g1' }, spec: { size: 3 } },
        }),
      { timeout: 10_000, interval: 200 },
    );
    const stored = (await custom.getNamespacedCustomObject({ ...target, name: 'g1' })) as {
      spec: { size: number; colour: string };
    };
    expect(stored.spec).toEqual({ size: 3, colour: 'blue' });

    const refused = await custom
      .createNamespacedCustomObject({
        ...target,
        body: { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'g2' }, spec: { size: 11 } },
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(apiStatus(refused)).toBe(422);
    expect(String((refused as { body?: unknown }).body)).toContain('spec.size');
  });
});
