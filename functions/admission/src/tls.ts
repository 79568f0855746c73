/**
 * The webhook's serving certificate, reloaded when its files change: cert-manager (or whoever provides the
 * Secret) rotates it in place, and a webhook still presenting the old certificate would fail every admission
 * once that expires.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server } from 'node:https';
import type { Logger } from '@mcpg-functions/shared/runtime';

export interface CertificateFiles {
  cert: string;
  key: string;
}

export function readCertificate(files: CertificateFiles): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(files.cert), key: readFileSync(files.key) };
}

/** Re-reads the pair when the certificate file changes; a pair that fails to load leaves the old one serving. */
export function watchCertificate(
  server: Server,
  files: CertificateFiles,
  options: { log: Logger; intervalMs?: number },
): () => void {
  const reload = () => {
    try {
      server.setSecureContext(readCertificate(files));
      options.log.info({ cert: files.cert }, 'reloaded the serving certificate');
    } catch (error) {
      options.log.error(
        { err: error, cert: files.cert },
        'could not reload the serving certificate; keeping the current one',
      );
    }
  };
  watchFile(files.cert, { interval: options.intervalMs ?? 30_000, persistent: false }, reload);
  return () => {
    unwatchFile(files.cert, reload);
  };
}
