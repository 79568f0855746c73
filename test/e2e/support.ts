/** Requests to Knative routes from the host: to Traefik's ClusterIP, with the route's host name as Host. */
import http from 'node:http';
import { inject } from 'vitest';
import { stackBed, type StackBed } from '../knative/bed.ts';

export interface JsonReply {
  status: number;
  body: unknown;
}

export interface RouteRequest {
  /** `ip:port` of the ingress. */
  address: string;
  /** The route's host name, sent as Host. */
  host: string;
  path: string;
  timeoutMs?: number;
}

/** POSTs a JSON body to a route; a reply that is not JSON comes back as text. */
export function postJson(
  { address, host, path, timeoutMs = 120_000 }: RouteRequest,
  payload: unknown,
): Promise<JsonReply> {
  const [hostname, port] = address.split(':');
  const data = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        hostname,
        port: Number(port),
        path,
        method: 'POST',
        headers: {
          host,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': Buffer.byteLength(data),
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text, the caller's assertion shows it
          }
          resolve({ status: response.statusCode ?? 0, body });
        });
      },
    );
    request.on('timeout', () =>
      request.destroy(new Error(`no answer from ${host} within ${timeoutMs / 1000}s`)),
    );
    request.on('error', reject);
    request.end(data);
  });
}

/** An MCP `initialize` request, what a client sends first. */
export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '0' } },
};

export interface ServiceOptions {
  /** Replaces the image's entrypoint. */
  command?: string[];
  /** Revision template annotations (autoscaling, progress deadline). */
  annotations?: Record<string, string>;
}

/** A Knative Service running one container that listens on 8080, with requests sized for the 2-CPU node. */
export function knativeService(namespace: string, name: string, image: string, options: ServiceOptions = {}) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: {
      template: {
        metadata: { annotations: options.annotations ?? {} },
        spec: {
          containers: [
            {
              image,
              ...(options.command ? { command: options.command } : {}),
              ports: [{ containerPort: 8080 }],
              resources: { requests: { cpu: '10m', memory: '32Mi' } },
            },
          ],
        },
      },
    },
  };
}

/** The names of the pods a Knative Service runs now (terminating ones included). */
export async function servicePods(
  bed: { kubectl: (...args: string[]) => Promise<string> },
  namespace: string,
  name: string,
): Promise<string[]> {
  const out = await bed.kubectl(
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    `serving.knative.dev/service=${name}`,
    '-o',
    'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}',
  );
  return out.split('\n').filter(Boolean);
}

/** The bed the tier's global setup provides (its own, or the running one with MCPG_E2E_BED=running). */
export function e2eBed(): StackBed {
  return stackBed({
    kubeconfig: inject('kubeconfig'),
    registry: inject('registryHost'),
    say: () => undefined,
  });
}
