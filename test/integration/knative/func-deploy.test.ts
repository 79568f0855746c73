import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { clients } from '../support/cluster.ts';
import { funcService, readFuncYaml, type FuncService } from '../support/func-service.ts';
import { dryRunApply, installKnativeCrds } from '../support/knative-crds.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const deployed = readdirSync(path.join(root, 'functions'))
  .filter((name) => existsSync(path.join(root, 'functions', name, 'func.yaml')))
  .filter((name) => readFuncYaml(path.join(root, 'functions', name, 'func.yaml')).deploy !== undefined)
  .sort();

function serviceFromFuncYaml(name: string): FuncService {
  return funcService(readFuncYaml(path.join(root, 'functions', name, 'func.yaml')), {
    image: `registry.example/mcpg/${name}@sha256:${'0'.repeat(64)}`,
    namespace: 'mcpg-system',
    built: '20260101T000000',
  });
}

async function generatedService(name: string): Promise<FuncService> {
  return parse(await readFile(path.join(root, 'knative', `${name}-service.yaml`), 'utf8')) as FuncService;
}

// `kn func deploy` builds each function's Knative Service from its func.yaml; Serving refuses autoscaling
// annotations on a Service's own metadata, so func.yaml must carry its scale bounds where func puts them on the
// revision template, and what func builds must be the Service knative/ and the chart deploy.
describe('kn func deploy', () => {
  const kube = clients();
  beforeAll(async () => {
    await installKnativeCrds(kube);
  });

  it('has a func.yaml with deploy settings for every reconcile function', () => {
    const wired = readdirSync(path.join(root, 'knative'))
      .filter((f) => f.endsWith('-service.yaml'))
      .map((f) => f.replace(/-service\.yaml$/, ''))
      .sort();
    expect(deployed).toEqual(wired);
  });

  it.each(deployed)('%s: no autoscaling annotation on the Service itself, scale bounds on its template', (name) => {
    const service = serviceFromFuncYaml(name);
    expect(Object.keys(service.metadata.annotations).filter((k) => k.startsWith('autoscaling.knative.dev/'))).toEqual(
      [],
    );
    expect(service.spec.template.metadata.annotations).toMatchObject({
      'autoscaling.knative.dev/min-scale': '0',
    });
  });

  it.each(deployed)('%s: the Service func builds runs like the generated one', async (name) => {
    const service = serviceFromFuncYaml(name);
    const fromFunc = service.spec.template;
    const generated = (await generatedService(name)).spec.template;
    expect(service.metadata.labels).toEqual((await generatedService(name)).metadata.labels);
    // func puts deploy.labels on the template too: the visibility label, which only a Service reads, is extra.
    expect(fromFunc.metadata.labels).toEqual({
      ...generated.metadata.labels,
      'networking.knative.dev/visibility': 'cluster-local',
    });
    for (const key of ['autoscaling.knative.dev/min-scale', 'autoscaling.knative.dev/max-scale'])
      expect(fromFunc.metadata.annotations[key], key).toBe(generated.metadata.annotations[key]);
    expect(fromFunc.spec.serviceAccountName).toBe(generated.spec.serviceAccountName);
    expect(fromFunc.spec.containerConcurrency).toBe(generated.spec.containerConcurrency);
    expect(fromFunc.spec.containers[0]?.resources).toEqual(generated.spec.containers[0]?.resources);
  });

  it.each(deployed)('%s: passes a server-side dry run against the Knative Serving CRD', async (name) => {
    const output = await vi.waitFor(() => dryRunApply(kube, stringify(serviceFromFuncYaml(name))), {
      timeout: 20_000,
      interval: 500,
    });
    expect(output).toContain(`service.serving.knative.dev/mcpg-${name} serverside-applied (server dry run)`);
  });
});
