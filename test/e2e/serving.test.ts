import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../images/builder/build.ts';
import { toolPath } from '../cluster/tools.ts';
import { waitFor } from '../cluster/wait.ts';
import { traefikAddress } from '../knative/networking.ts';
import { SERVING_DOMAIN } from '../knative/serving.ts';
import { INITIALIZE, knativeService, postJson, servicePods, e2eBed } from './support.ts';

const bed = e2eBed();
const namespace = `e2e-serving-${randomBytes(3).toString('hex')}`;

async function condition(
  name: string,
  type: string,
): Promise<{ status: string; reason?: string; message?: string } | undefined> {
  const service = JSON.parse(await bed.kubectl('get', 'ksvc', '-n', namespace, name, '-o', 'json')) as {
    status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
  };
  return service.status?.conditions?.find((found) => found.type === type);
}

/** On failure, the pods' state and logs say more than the assertion does. */
async function describeNamespace(): Promise<string> {
  const [ksvc, pods, logs] = await Promise.all([
    bed.kubectl('get', 'ksvc,revision,kingress', '-n', namespace, '-o', 'wide').catch(String),
    bed.kubectl('get', 'pods', '-n', namespace, '-o', 'wide').catch(String),
    bed
      .kubectl('logs', '-n', namespace, '-l', 'serving.knative.dev/service', '--all-containers', '--tail=30')
      .catch(String),
  ]);
  return [ksvc, pods, logs].join('\n');
}

describe('a Knative Service on the real stack', () => {
  let image: string;
  let gateway: string;

  beforeAll(async () => {
    const [built] = await buildAll({
      registry: `${bed.push.registry}/mcpg`,
      crane: toolPath('crane'),
      cosign: toolPath('cosign'),
      insecure: true,
      only: ['mcp-test-http'],
    });
    if (!built) throw new Error('the mcp-test-http image was not built');
    image = built.reference;
    gateway = await traefikAddress(bed);
    await bed.kubectl('create', 'namespace', namespace);
  }, 300_000);

  afterAll(async () => {
    await bed.kubectl('delete', 'namespace', namespace, '--wait=false').catch(() => undefined);
  });

  it('becomes Ready, answers through Traefik, goes to zero and wakes on a request', async () => {
    // A 6 s stable window (the least Serving takes) so the revision goes to zero within a minute or so.
    await bed.apply(
      JSON.stringify(
        knativeService(namespace, 'mcp', image, { annotations: { 'autoscaling.knative.dev/window': '6s' } }),
      ),
    );
    try {
      await bed.kubectl('wait', '-n', namespace, 'ksvc/mcp', '--for=condition=Ready', '--timeout=240s');
    } catch (error) {
      throw new Error(`the Service did not become Ready:\n${await describeNamespace()}`, { cause: error });
    }
    const host = `mcp.${namespace}.${SERVING_DOMAIN}`;
    const url = (
      await bed.kubectl('get', 'ksvc', '-n', namespace, 'mcp', '-o', 'jsonpath={.status.url}')
    ).trim();
    expect(url).toBe(`http://${host}`);

    const warm = await postJson({ address: gateway, host, path: '/mcp' }, INITIALIZE);
    expect(warm.status).toBe(200);
    expect(warm.body).toMatchObject({ id: 1, result: { serverInfo: { name: 'mcpg-test-http' } } });

    // With no traffic the autoscaler takes the revision to zero: no pod left.
    await waitFor(async () => ((await servicePods(bed, namespace, 'mcp')).length === 0 ? true : undefined), {
      what: 'the idle Service to scale to zero pods',
      timeoutMs: 240_000,
      intervalMs: 2000,
    });

    // The route now leads to the activator, which holds the request until a new pod is ready.
    const cold = await postJson({ address: gateway, host, path: '/mcp' }, INITIALIZE);
    expect(cold.status, await describeNamespace()).toBe(200);
    expect(cold.body).toMatchObject({ id: 1, result: { serverInfo: { name: 'mcpg-test-http' } } });
    expect((await servicePods(bed, namespace, 'mcp')).length).toBeGreaterThan(0);
  }, 600_000);

  it('shows a Service whose container cannot start as not Ready, with the reason', async () => {
    // The same image with Node told to exit at once instead of serving: the container never becomes ready.
    await bed.apply(
      JSON.stringify(
        knativeService(namespace, 'broken', image, {
          command: ['/usr/local/bin/node', '-e', 'process.exit(3)'],
          annotations: { 'serving.knative.dev/progress-deadline': '60s' },
        }),
      ),
    );
    // The Service is not Ready (RevisionMissing: no revision of it is ready); its ConfigurationsReady condition
    // says the revision failed, and the revision names the container's exit code.
    const failed = await waitFor(
      async () => {
        const configurations = await condition('broken', 'ConfigurationsReady');
        return configurations?.status === 'False' && configurations.reason === 'RevisionFailed'
          ? configurations
          : undefined;
      },
      { what: 'the broken Service to report its revision failed', timeoutMs: 240_000, intervalMs: 2000 },
    );
    expect(failed.message).toMatch(/Revision "broken-00001" failed/);
    expect(await condition('broken', 'Ready')).toMatchObject({ status: 'False', reason: 'RevisionMissing' });
    expect(await bed.kubectl('get', 'ksvc', '-n', namespace, 'broken')).toMatch(/False\s+RevisionMissing/);
    expect(await bed.kubectl('get', 'revision', '-n', namespace, 'broken-00001')).toMatch(
      /False\s+ExitCode3/,
    );
  }, 300_000);
});
