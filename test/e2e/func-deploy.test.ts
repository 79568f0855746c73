/**
 * docs/install.md's second path on the real stack: the Service `kn func deploy` creates from each function's
 * func.yaml (built as func builds it, see func-service.ts) is accepted by Serving's webhook and becomes Ready,
 * running the image the chart deployed for that function, as the ServiceAccount step 3 of that path applies.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cluster/tools.ts';
import { MCPG_NAMESPACE } from '../knative/mcpg.ts';
import { funcService, readFuncYaml } from '../integration/support/func-service.ts';
import { FUNCTIONS } from '../knative/functions.ts';
import { e2eBed } from './support.ts';

const bed = e2eBed();
const namespace = `e2e-func-${randomBytes(3).toString('hex')}`;

/** The image the chart runs for the function, by digest. */
async function deployedImage(fn: string): Promise<string> {
  return bed.kubectl(
    'get',
    'ksvc',
    '-n',
    MCPG_NAMESPACE,
    `mcpg-${fn}`,
    '-o',
    'jsonpath={.spec.template.spec.containers[0].image}',
  );
}

beforeAll(async () => {
  await bed.kubectl('create', 'namespace', namespace);
}, 60_000);

afterAll(async () => {
  await bed.kubectl('delete', 'namespace', namespace, '--wait=false').catch(() => undefined);
});

describe('kn func deploy on the real stack', () => {
  it("every function's func.yaml makes a Service Serving accepts and runs to Ready", async () => {
    const services = await Promise.all(
      FUNCTIONS.map(async (fn) =>
        funcService(readFuncYaml(path.join(REPO_ROOT, 'functions', fn, 'func.yaml')), {
          image: await deployedImage(fn),
          namespace,
          built: '20261207T000000',
        }),
      ),
    );
    // Step 3 of the path: the ServiceAccounts func checks for (the rest of knative/<fn>.yaml is not needed to run).
    const accounts = services.map((s) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: s.spec.template.spec.serviceAccountName, namespace },
    }));
    await bed.apply([...accounts, ...services].map((o) => JSON.stringify(o)).join('\n'));
    const names = services.map((s) => `ksvc/${s.metadata.name}`);
    try {
      await bed.kubectl('wait', '-n', namespace, '--for=condition=Ready', '--timeout=300s', ...names);
    } catch (error) {
      const state = await bed
        .kubectl('get', 'ksvc,revision,pods', '-n', namespace, '-o', 'wide')
        .catch(String);
      throw new Error(`not every func-built Service became Ready:\n${state}`, { cause: error });
    }
    // What func put on the Service itself survived Serving's defaulting; scale bounds are the revision's.
    for (const service of services) {
      const stored = JSON.parse(
        await bed.kubectl('get', 'ksvc', '-n', namespace, service.metadata.name, '-o', 'json'),
      ) as typeof service;
      expect(stored.metadata.labels).toMatchObject(service.metadata.labels);
      expect(stored.spec.template.metadata.annotations).toMatchObject({
        'autoscaling.knative.dev/min-scale': '0',
      });
    }
  }, 600_000);
});
