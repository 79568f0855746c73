/**
 * cert-manager on the bed: its controller, webhook and CA injector built from the Go module proxy, installed with
 * the objects its own Helm chart (shipped in the module) renders for our images, and checked by issuing a
 * certificate through its webhook. The chart's default webhook TLS path relies on it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { toolPath } from '../cluster/tools.ts';
import { waitFor } from '../cluster/wait.ts';
import type { StackBed, StackPart } from './bed.ts';
import { pushStackImage } from './stack-image.ts';
import { buildStackPrograms, pinnedVersion } from './upstream.ts';

const run = promisify(execFile);

export const CERT_MANAGER_NAMESPACE = 'cert-manager';
const RELEASE = 'cert-manager';
const COMMANDS = ['controller', 'webhook', 'cainjector'] as const;
type Command = (typeof COMMANDS)[number];

export const certManager: StackPart = {
  name: 'cert-manager',
  async install(bed) {
    const bin = await buildStackPrograms('cert-manager', bed.say);
    const version = pinnedVersion('CERT_MANAGER_VERSION');
    const images = {} as Record<Command, string>;
    for (const command of COMMANDS) {
      images[command] = await pushStackImage(bed.push, {
        repository: `cert-manager/${command}`,
        version,
        binary: path.join(bin, command),
        name: command,
        source: 'https://github.com/cert-manager/cert-manager',
        license: 'Apache-2.0',
      });
    }
    bed.say('cert-manager: applying the objects its chart renders');
    await bed.apply(namespace());
    await bed.apply(await renderChart(bed, path.join(bin, '..', 'chart'), images));
    for (const deployment of [RELEASE, `${RELEASE}-webhook`, `${RELEASE}-cainjector`]) {
      await bed.kubectl('rollout', 'status', `deployment/${deployment}`, '-n', CERT_MANAGER_NAMESPACE, '--timeout=300s');
    }
    await proveIssuing(bed);
  },
};

function namespace(): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CERT_MANAGER_NAMESPACE } });
}

/** The values the bed sets on cert-manager's chart; everything else is the chart's default. */
export function chartValues(images: Record<Command, string>): Record<string, unknown> {
  const image = (reference: string) => {
    const [repository, digest] = reference.split('@');
    return { repository, digest, pullPolicy: 'IfNotPresent' };
  };
  // One node with 2 CPUs runs the whole stack and our functions: requests are a fraction of upstream's guidance,
  // limits keep a runaway process from taking the node.
  const resources = { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi' } };
  return {
    crds: { enabled: true },
    image: image(images.controller),
    resources,
    webhook: { image: image(images.webhook), resources },
    cainjector: { image: image(images.cainjector), resources },
    // The post-install API check is a fourth program (cmctl) the module does not hold; the install waits for an
    // issued certificate instead, which proves more.
    startupapicheck: { enabled: false },
  };
}

async function renderChart(bed: StackBed, chart: string, images: Record<Command, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cert-manager-values-'));
  try {
    const values = path.join(dir, 'values.json');
    await writeFile(values, JSON.stringify(chartValues(images)));
    const { stdout } = await run(
      toolPath('helm'),
      [
        'template', RELEASE, chart,
        '--namespace', CERT_MANAGER_NAMESPACE,
        '--kube-version', await serverVersion(bed),
        '--values', values,
      ],
      { maxBuffer: 64 << 20 },
    );
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The chart checks its kubeVersion constraint; offline rendering needs the server's version said explicitly. */
async function serverVersion(bed: StackBed): Promise<string> {
  const version = JSON.parse(await bed.kubectl('version', '-o', 'json')) as { serverVersion: { gitVersion: string } };
  return version.serverVersion.gitVersion;
}

/**
 * A self-signed Issuer and a Certificate from it become Ready: the webhook admitted both (its CA injected by the
 * CA injector into its own webhook configurations), and the controller issued the certificate.
 */
async function proveIssuing(bed: StackBed): Promise<void> {
  const objects = [
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'bed-check', namespace: CERT_MANAGER_NAMESPACE }, spec: { selfSigned: {} } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'bed-check', namespace: CERT_MANAGER_NAMESPACE },
      spec: { secretName: 'bed-check-tls', commonName: 'bed-check', dnsNames: ['bed-check'], issuerRef: { name: 'bed-check', kind: 'Issuer' } },
    },
  ];
  // Issued afresh on every install, so a re-run proves the running controller, not an earlier one.
  await bed.kubectl('delete', 'certificate/bed-check', 'secret/bed-check-tls', '-n', CERT_MANAGER_NAMESPACE, '--ignore-not-found');
  // The webhook refuses calls until its serving CA is injected; its failure policy is Fail, so apply until it
  // admits.
  await waitFor(
    async () => {
      await bed.apply(objects.map((object) => JSON.stringify(object)).join('\n---\n'));
      return true;
    },
    { what: "cert-manager's webhook to admit an Issuer", timeoutMs: 180_000, intervalMs: 2_000 },
  );
  await bed.kubectl('wait', 'certificate/bed-check', '-n', CERT_MANAGER_NAMESPACE, '--for=condition=Ready', '--timeout=120s');
}
