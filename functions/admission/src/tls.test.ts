import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@mcpg-functions/shared/runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Pki } from '../../../test/cluster/pki.ts';
import { readCertificate, watchCertificate } from './tls.ts';

/** The serial number of the certificate the server presents. */
function presentedSerial(port: number, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = https.get({ host: '127.0.0.1', port, path: '/', ca, agent: false }, (response) => {
      const socket = response.socket as import('node:tls').TLSSocket;
      resolve(socket.getPeerCertificate().serialNumber);
      response.resume();
    });
    request.on('error', reject);
  });
}

describe('watchCertificate', () => {
  let dir: string;
  let pki: Pki;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'webhook-tls-'));
    pki = await Pki.create(dir, 'rotation-ca');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a rotated certificate without a restart, and keeps the old one when the new pair is broken', async () => {
    const issue = (name: string) =>
      pki.issue({ name, subject: '/CN=webhook', usage: 'serverAuth', altNames: ['IP:127.0.0.1'] });
    const files = { cert: path.join(dir, 'tls.crt'), key: path.join(dir, 'tls.key') };
    const first = await issue('first');
    await copyFile(first.cert, files.cert);
    await copyFile(first.key, files.key);
    const server = https.createServer(readCertificate(files), (_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const ca = readCertificate({ cert: pki.ca.cert, key: pki.ca.key }).cert;
    const stop = watchCertificate(server, files, { log: createLogger('tls-test', 'silent'), intervalMs: 50 });
    try {
      const before = await presentedSerial(port, ca);
      const second = await issue('second');
      await copyFile(second.key, files.key);
      await copyFile(second.cert, files.cert);
      await vi.waitFor(
        async () => {
          expect(await presentedSerial(port, ca)).not.toBe(before);
        },
        {
          timeout: 5_000,
          interval: 100,
        },
      );
      const rotated = await presentedSerial(port, ca);

      await copyFile(first.key, files.key); // a half-written rotation: the key no longer matches the new cert
      await copyFile(second.cert, files.cert);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await presentedSerial(port, ca)).toBe(rotated);
    } finally {
      stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
