import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admissionReviewSchema, decodeReview } from './admission-review.ts';

/** A field as the API server sends it or, now and then, anything JSON can hold in its place. */
const field = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 19, arbitrary: valid }, { weight: 1, arbitrary: fc.jsonValue() });
const strings = fc.array(fc.string(), { maxLength: 3 });

const review = fc.record(
  {
    apiVersion: field(fc.constant('admission.k8s.io/v1')),
    kind: field(fc.constant('AdmissionReview')),
    request: field(
      fc.record(
        {
          uid: field(fc.string({ maxLength: 4 })), // empty at times, which the schema refuses
          kind: field(
            fc.record(
              { group: field(fc.string()), version: field(fc.string()), kind: field(fc.string()) },
              { requiredKeys: ['group', 'version'] },
            ),
          ),
          namespace: field(fc.string()),
          name: field(fc.string()),
          operation: field(fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT')),
          userInfo: field(
            fc.record(
              {
                username: field(fc.string()),
                uid: field(fc.string()),
                groups: field(strings),
                extra: field(fc.dictionary(fc.string(), field(strings))),
              },
              { requiredKeys: [] },
            ),
          ),
          object: fc.jsonValue(),
          oldObject: fc.jsonValue(),
          dryRun: field(fc.boolean()),
          options: fc.jsonValue(),
        },
        { requiredKeys: ['uid', 'kind', 'operation'] },
      ),
    ),
  },
  { requiredKeys: ['apiVersion', 'kind', 'request'] },
);

describe('decodeReview', () => {
  it('decodes every review body as the AdmissionReview schema does, and refuses what it refuses', () => {
    const outcomes = { decoded: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.oneof({ weight: 4, arbitrary: review }, { weight: 1, arbitrary: fc.jsonValue() }),
        (body) => {
          const decoded = decodeReview(body);
          const parsed = admissionReviewSchema.safeParse(body);
          if (parsed.success) expect(decoded).toEqual({ request: parsed.data.request });
          else
            expect(decoded).toHaveProperty('message', expect.stringMatching(/^malformed AdmissionReview: /));
          outcomes[parsed.success ? 'decoded' : 'refused'] += 1;
        },
      ),
      { numRuns: 2000 },
    );
    expect(outcomes.decoded).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(100);
  });
});
