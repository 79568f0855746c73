import type { Registry } from 'prom-client';
import { Counter, Histogram } from '@mcpg-functions/shared/runtime';

export interface AdmissionMetrics {
  requests: Counter<'kind' | 'operation' | 'outcome'>;
  duration: Histogram<'kind'>;
}

export function createAdmissionMetrics(registry: Registry): AdmissionMetrics {
  return {
    requests: new Counter({
      name: 'mcpg_admission_requests_total',
      help: 'Admission reviews answered, by kind, operation and outcome (allowed, denied, malformed, error).',
      labelNames: ['kind', 'operation', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'mcpg_admission_request_duration_seconds',
      help: 'Time to answer one admission review, by kind.',
      labelNames: ['kind'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}
