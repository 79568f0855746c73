import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { CertFiles } from './pki.ts';

export interface ProbeTls {
  ca: string;
  client?: CertFiles;
}

/** POSTs JSON over TLS with the given CA; resolves with status and body. */
export function httpsPostJson(
  url: string,
  ca: Buffer,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      { method: 'POST', ca, headers: { 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body: text });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** GETs a URL over TLS with the test bed's CA (and client certificate); resolves with status and body. */
export function httpsGet(url: string, tls: ProbeTls): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      url,
      {
        ca: readFileSync(tls.ca),
        ...(tls.client ? { cert: readFileSync(tls.client.cert), key: readFileSync(tls.client.key) } : {}),
        timeout: 5_000,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}
