/**
 * A loopback HTTPS proxy in front of the API server that, during a storm, answers every request 429 with a
 * Retry-After, as API Priority and Fairness does when a client's share is exhausted. It presents the API
 * server's own certificate (valid for 127.0.0.1) and forwards as the admin, so a function pointed at it with
 * the admin kubeconfig sees the real API server apart from the storm.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';
import { writeKubeconfig } from '../cluster/kubeconfig.ts';
import type { ControlPlaneState } from '../cluster/control-plane.ts';

function apiServerArgument(state: ControlPlaneState, flag: string): string {
  const apiserver = state.processes.find((p) => p.name === 'kube-apiserver');
  const args = apiserver ? readFileSync(`/proc/${apiserver.pid}/cmdline`, 'utf8').split('\0') : [];
  const value = args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  if (!value) throw new Error(`the API server has no ${flag}`);
  return value;
}

/** The client certificate files of the control plane's admin kubeconfig. */
function adminCertificate(kubeconfig: string): { cert: string; key: string } {
  const config = parse(readFileSync(kubeconfig, 'utf8')) as {
    users: { user: { 'client-certificate': string; 'client-key': string } }[];
  };
  const user = config.users[0]?.user;
  if (!user) throw new Error(`${kubeconfig} has no user`);
  return { cert: user['client-certificate'], key: user['client-key'] };
}

export class ThrottlingProxy {
  refused = 0;
  forwarded = 0;
  private stormUntil = 0;
  private readonly upstream: URL;
  private readonly client: { ca: Buffer; cert: Buffer; key: Buffer };
  private readonly server: https.Server;
  private readonly files: { ca: string; cert: string; key: string };

  constructor(state: ControlPlaneState) {
    const admin = adminCertificate(state.kubeconfig);
    this.upstream = new URL(state.server);
    this.files = { ca: state.caFile, ...admin };
    this.client = {
      ca: readFileSync(state.caFile),
      cert: readFileSync(admin.cert),
      key: readFileSync(admin.key),
    };
    this.server = https.createServer(
      {
        cert: readFileSync(apiServerArgument(state, '--tls-cert-file')),
        key: readFileSync(apiServerArgument(state, '--tls-private-key-file')),
      },
      (request, response) => {
        if (Date.now() < this.stormUntil) {
          this.refused += 1;
          request.resume();
          response.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
          response.end(
            '{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"TooManyRequests","code":429}',
          );
          return;
        }
        this.forwarded += 1;
        const upstream = https.request(
          {
            hostname: this.upstream.hostname,
            port: this.upstream.port,
            method: request.method,
            path: request.url,
            headers: { ...request.headers, host: this.upstream.host },
            ...this.client,
          },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        upstream.on('error', () => response.writeHead(502).end());
        request.pipe(upstream);
      },
    );
  }

  /** Answers everything 429 for the next `ms` milliseconds. */
  storm(ms: number): void {
    this.stormUntil = Date.now() + ms;
  }

  /** Listens on loopback and writes a kubeconfig pointing at the proxy; resolves with its path. */
  async start(dir: string): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    const file = path.join(dir, `throttled-${port}.kubeconfig`);
    await writeKubeconfig(file, {
      server: `https://127.0.0.1:${port}`,
      caFile: this.files.ca,
      client: { cert: this.files.cert, key: this.files.key },
      name: 'throttled',
    });
    return file;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
