import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { freeform, intOrString, withRules } from '../api/common.ts';
import { toStructuralSchema } from './structural.ts';

describe('toStructuralSchema', () => {
  it('writes integer-or-string unions as x-kubernetes-int-or-string', () => {
    expect(toStructuralSchema(z.strictObject({ n: intOrString('Count or percentage.') }))).toEqual({
      type: 'object',
      properties: { n: { 'x-kubernetes-int-or-string': true, description: 'Count or percentage.' } },
      required: ['n'],
    });
  });

  it('keeps free-form objects open and drops zod-only details', () => {
    const schema = toStructuralSchema(
      z.strictObject({ config: freeform('Anything.'), when: z.iso.datetime().optional(), n: z.int().min(2) }),
    );
    expect(schema.properties).toEqual({
      config: { type: 'object', description: 'Anything.', 'x-kubernetes-preserve-unknown-fields': true },
      when: { type: 'string', format: 'date-time' },
      n: { type: 'integer', minimum: 2 },
    });
    expect(schema).not.toHaveProperty('additionalProperties');
  });

  it('emits rules as x-kubernetes-validations', () => {
    const schema = toStructuralSchema(
      withRules(z.strictObject({ a: z.string().optional() }), 'Thing.', [
        { cel: 'has(self.a)', message: 'set a', holds: (v) => v.a !== undefined },
      ]),
    );
    expect(schema['x-kubernetes-validations']).toEqual([{ rule: 'has(self.a)', message: 'set a' }]);
  });

  it('refuses unions a CRD cannot express', () => {
    expect(() => toStructuralSchema(z.strictObject({ u: z.union([z.string(), z.boolean()]) }))).toThrow(
      /\.u: (unions other than integer-or-string|a field of several types)/,
    );
  });
});
