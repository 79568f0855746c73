import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pki } from '../../cluster/pki.ts';

// openssl is a prerequisite of the test bed; these checks pin down the certificates the API server relies on.
describe('Pki', () => {
  let dir: string;
  let pki: Pki;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pki-test-'));
    pki = await Pki.create(dir, 'unit-ca');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('issues a serving certificate for loopback, signed by its CA', async () => {
    const files = await pki.issue({
      name: 'server',
      subject: '/CN=server',
      usage: 'serverAuth',
      altNames: ['IP:127.0.0.1', 'DNS:localhost'],
    });
    const ca = new X509Certificate(await readFile(pki.ca.cert));
    const cert = new X509Certificate(await readFile(files.cert));
    expect(ca.ca).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
  });

  it('issues a client certificate carrying the group in O', async () => {
    const files = await pki.issue({
      name: 'client',
      subject: '/O=system:masters/CN=admin',
      usage: 'clientAuth',
    });
    const cert = new X509Certificate(await readFile(files.cert));
    expect(cert.subject).toContain('O=system:masters');
    expect(cert.subject).toContain('CN=admin');
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
  });
});
