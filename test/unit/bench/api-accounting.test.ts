import { describe, expect, it } from 'vitest';
import {
  accountingSchemas,
  allGetsByResource,
  requestsBetween,
  writesOf,
} from '../../bench/api-accounting.ts';
import { parseSamples } from '../../bench/prometheus.ts';

const operator = {
  name: 'h2h-operator',
  serviceAccounts: [{ name: 'mcpg-server', namespace: 'h2h-system' }],
};

const dispatched = (counts: Record<string, number>) =>
  parseSamples(
    Object.entries(counts)
      .map(
        ([schema, n]) =>
          `apiserver_flowcontrol_dispatched_requests_total{flow_schema="${schema}",priority_level="workload-low"} ${n}`,
      )
      .join('\n'),
  );

interface CountCase {
  what: string;
  before: Record<string, number>;
  after: Record<string, number>;
  reads: Record<string, number>;
  writes: Record<string, number>;
  events: number;
  allWrites: number;
}

describe("the operator's requests, counted by its FlowSchemas", () => {
  it('matches Event writes before the per-verb schemas, and only the given ServiceAccounts', () => {
    const schemas = accountingSchemas(operator, 0);
    const precedence = schemas.map((s) => s.spec.matchingPrecedence);
    expect(schemas[0]?.metadata.name).toBe('h2h-operator-events');
    expect(Math.min(...precedence)).toBe(precedence[0]);
    expect(new Set(precedence).size).toBe(schemas.length);
    expect(Math.max(...precedence)).toBeLessThan(9000); // before the built-in service-accounts schema
    for (const schema of schemas)
      expect(schema.spec.rules[0]?.subjects).toEqual([
        { kind: 'ServiceAccount', serviceAccount: { name: 'mcpg-server', namespace: 'h2h-system' } },
      ]);
  });

  it('gives a second identity schemas of its own, after the first', () => {
    const first = accountingSchemas(operator, 0).map((s) => s.spec.matchingPrecedence);
    const second = accountingSchemas({ ...operator, name: 'h2h-adapters' }, 1).map(
      (s) => s.spec.matchingPrecedence,
    );
    expect(Math.min(...second)).toBeGreaterThan(Math.max(...first));
  });

  it.each<CountCase>([
    {
      what: 'growth by verb, other schemas ignored',
      before: { 'h2h-operator-get': 10, 'h2h-operator-patch': 2, 'service-accounts': 50 },
      after: {
        'h2h-operator-get': 30,
        'h2h-operator-list': 4,
        'h2h-operator-patch': 5,
        'h2h-operator-events': 7,
        'service-accounts': 90,
      },
      reads: { get: 20, list: 4, watch: 0 },
      writes: { create: 0, update: 0, patch: 3, delete: 0, deletecollection: 0 },
      events: 7,
      allWrites: 10,
    },
    {
      what: 'nothing requested',
      before: { 'h2h-operator-get': 10 },
      after: { 'h2h-operator-get': 10 },
      reads: { get: 0, list: 0, watch: 0 },
      writes: { create: 0, update: 0, patch: 0, delete: 0, deletecollection: 0 },
      events: 0,
      allWrites: 0,
    },
  ])('counts $what', ({ before, after, reads, writes, events, allWrites }) => {
    const counts = requestsBetween(dispatched(before), dispatched(after), operator);
    expect(counts).toEqual({ reads, writes, eventWrites: events });
    expect(writesOf(counts)).toBe(allWrites);
  });
});

describe("every client's reads of single objects, by resource", () => {
  const requests = (lines: string[]) =>
    parseSamples(lines.map((l) => `apiserver_request_total{${l}`).join('\n'));

  it('sums GETs over codes and groups, and leaves out lists, watches and writes', () => {
    const before = requests([
      'verb="GET",resource="deployments",group="apps",code="200"} 5',
      'verb="GET",resource="mcpgservers",group="mcpg.dev",code="200"} 1',
    ]);
    const after = requests([
      'verb="GET",resource="deployments",group="apps",code="200"} 9',
      'verb="GET",resource="deployments",group="apps",code="404"} 2',
      'verb="GET",resource="mcpgservers",group="mcpg.dev",code="200"} 1',
      'verb="LIST",resource="pods",group="",code="200"} 40',
      'verb="WATCH",resource="pods",group="",code="200"} 3',
      'verb="APPLY",resource="services",group="",code="200"} 7',
    ]);
    expect(allGetsByResource(before, after)).toEqual({ deployments: 6 });
  });
});
