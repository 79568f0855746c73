import { describe, expect, it } from 'vitest';
import { growth, parseSamples, sumBy, total } from '../../bench/prometheus.ts';

const EXPOSITION = `# HELP apiserver_request_total [STABLE] Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="200",component="apiserver",dry_run="",group="apps",resource="deployments",scope="resource",subresource="",verb="GET",version="v1"} 12
apiserver_request_total{code="201",component="apiserver",dry_run="",group="apps",resource="deployments",scope="resource",subresource="",verb="POST",version="v1"} 3
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"} 4
apiserver_flowcontrol_dispatched_requests_total{flow_schema="h2h-operator-get",priority_level="workload-low"} 7
apiserver_flowcontrol_dispatched_requests_total{flow_schema="h2h-operator-patch",priority_level="workload-low"} 2.5e+01
apiserver_flowcontrol_dispatched_requests_total{flow_schema="service-accounts",priority_level="workload-low"} 99
weird_metric{path="a \\"quoted\\", comma",le="+Inf"} 1
process_resident_memory_bytes 5.3e+07
rest_client_exec_plugin_ttl_seconds +Inf
`;

interface SumCase {
  what: string;
  metric: string;
  by: string;
  where: Record<string, string>;
  expected: Record<string, number>;
}

interface GrowthCase {
  what: string;
  before: Record<string, number>;
  after: Record<string, number>;
  expected: Record<string, number>;
}

describe('Prometheus counters of the API server', () => {
  const samples = parseSamples(EXPOSITION);

  it.each<SumCase>([
    {
      what: 'requests by verb',
      metric: 'apiserver_request_total',
      by: 'verb',
      where: {},
      expected: { GET: 12, POST: 3, LIST: 4 },
    },
    {
      what: 'requests by verb for one resource',
      metric: 'apiserver_request_total',
      by: 'verb',
      where: { resource: 'deployments' },
      expected: { GET: 12, POST: 3 },
    },
    {
      what: 'dispatched requests by flow schema, exponent notation included',
      metric: 'apiserver_flowcontrol_dispatched_requests_total',
      by: 'flow_schema',
      where: { priority_level: 'workload-low' },
      expected: { 'h2h-operator-get': 7, 'h2h-operator-patch': 25, 'service-accounts': 99 },
    },
    {
      what: 'a label value with escaped quotes and a comma',
      metric: 'weird_metric',
      by: 'path',
      where: { le: '+Inf' },
      expected: { 'a "quoted", comma': 1 },
    },
    {
      what: 'a sample without labels',
      metric: 'process_resident_memory_bytes',
      by: 'anything',
      where: {},
      expected: { '': 53_000_000 },
    },
    {
      what: 'an infinite value, as the API server exposes some',
      metric: 'rest_client_exec_plugin_ttl_seconds',
      by: 'anything',
      where: {},
      expected: { '': Infinity },
    },
    { what: 'a metric that is absent', metric: 'nothing_total', by: 'verb', where: {}, expected: {} },
  ])('sums $what', ({ metric, by, where, expected }) => {
    expect(sumBy(samples, metric, by, where)).toEqual(expected);
  });

  it.each([
    { line: 'apiserver_request_total{verb="GET" 3', why: 'an unclosed label set' },
    { line: 'apiserver_request_total{verb=GET} 3', why: 'an unquoted label value' },
    { line: 'apiserver_request_total{verb="GET"} three', why: 'a value that is not a number' },
  ])('refuses $why', ({ line }) => {
    expect(() => parseSamples(line)).toThrow(/unreadable/);
  });

  it.each<GrowthCase>([
    {
      what: 'counters that grew, new ones counted from zero, unchanged ones dropped',
      before: { GET: 10, LIST: 4, PATCH: 1 },
      after: { GET: 15, LIST: 4, PATCH: 3, POST: 2 },
      expected: { GET: 5, PATCH: 2, POST: 2 },
    },
    { what: 'nothing happened', before: { GET: 1 }, after: { GET: 1 }, expected: {} },
  ])('measures growth: $what', ({ before, after, expected }) => {
    expect(growth(before, after)).toEqual(expected);
    expect(total(growth(before, after))).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
  });
});
