import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../cluster/ports.ts';
import { Pki } from '../../cluster/pki.ts';
import { httpsGet } from '../../cluster/https-probe.ts';
import { ManagedProcess, stopProcesses } from '../../cluster/processes.ts';
import { REPO_ROOT } from '../../cluster/tools.ts';
import { waitFor } from '../../cluster/wait.ts';

export interface RunningAdmission {
  /** https://127.0.0.1:<port> */
  baseUrl: string;
  /** The CA that signed the webhook's serving certificate, base64 PEM for caBundle. */
  caBundle: string;
  /** The webhook's process. */
  pid: number;
  stop: () => Promise<void>;
}

/**
 * Runs the admission function as its own process over HTTPS on loopback, with a serving certificate from a
 * fresh test CA, and waits until it reports ready (its caches synced from the API server).
 */
export async function startAdmission(options: {
  kubeconfig: string;
  workDir: string;
  env?: Record<string, string>;
  /** The script to run: the source by default, or a bundle (dist/function.mjs of a copied folder). */
  entry?: string;
}): Promise<RunningAdmission> {
  const pki = await Pki.create(options.workDir, 'mcpg-webhook-test-ca');
  const serving = await pki.issue({
    name: 'webhook',
    subject: '/CN=mcpg-admission',
    usage: 'serverAuth',
    altNames: ['IP:127.0.0.1'],
  });
  const port = await freePort();
  const admission = ManagedProcess.start({
    name: `admission-${port}`,
    binary: process.execPath,
    args: [options.entry ?? path.join(REPO_ROOT, 'functions/admission/src/index.ts')],
    logDir: options.workDir,
    env: {
      KUBECONFIG: options.kubeconfig,
      MCPG_ADMISSION_HOST: '127.0.0.1',
      MCPG_ADMISSION_PORT: String(port),
      MCPG_TLS_CERT_FILE: serving.cert,
      MCPG_TLS_KEY_FILE: serving.key,
      ...options.env,
    },
  });
  const baseUrl = `https://127.0.0.1:${port}`;
  await waitFor(
    async () =>
      (await httpsGet(`${baseUrl}/health/readiness`, { ca: pki.ca.cert })).status === 200 ? true : undefined,
    {
      what: 'the admission function to be ready',
      timeoutMs: 30_000,
      watch: [admission],
      log: admission.record.log,
    },
  );
  return {
    baseUrl,
    caBundle: (await readFile(pki.ca.cert)).toString('base64'),
    pid: admission.record.pid,
    stop: () => stopProcesses([admission.record]),
  };
}
