/** Requests to Knative routes from the host: to Traefik's ClusterIP, with the route's host name as Host. */
import http from 'node:http';

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
