import { describe, expect, it } from 'vitest';
import { tracesEndpoint, tracingSettings } from './index.ts';

const settings = (env: Record<string, string>) => tracingSettings.parse(env);

describe('where spans are sent', () => {
  it.each([
    [{}, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'http://collector:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'http://collector:4318/v1/traces'],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/t' },
      'http://b:4318/t',
    ],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_TRACES_EXPORTER: 'none' }, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' }, undefined],
  ])('%j → %s', (env, expected) => {
    expect(tracesEndpoint(settings(env))).toBe(expected);
  });

  it('refuses an endpoint that is not a URL, naming the variable', () => {
    const parsed = tracingSettings.safeParse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318 ' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT']);
  });
});
