import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestBedError } from './errors.ts';

const run = promisify(execFile);

/** A key and certificate pair on disk, PEM encoded. */
export interface CertFiles {
  cert: string;
  key: string;
}

export interface CertRequest {
  /** File stem inside the PKI folder. */
  name: string;
  subject: string;
  usage: 'serverAuth' | 'clientAuth';
  /** subjectAltName entries such as `IP:127.0.0.1` or `DNS:localhost` (serving certificates). */
  altNames?: string[];
}

/** Short-lived PKI made fresh for each run with Debian's openssl: a CA and the certificates it issues. */
export class Pki {
  readonly dir: string;
  readonly ca: CertFiles;

  private constructor(dir: string) {
    this.dir = dir;
    this.ca = { cert: path.join(dir, 'ca.crt'), key: path.join(dir, 'ca.key') };
  }

  static async create(dir: string, commonName = 'mcpg-test-ca'): Promise<Pki> {
    const pki = new Pki(dir);
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', pki.ca.key]);
    await openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      pki.ca.key,
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      pki.ca.cert,
    ]);
    return pki;
  }

  /** The CA a running control plane made, to issue more certificates from it. */
  static open(dir: string): Pki {
    return new Pki(dir);
  }

  async issue(request: CertRequest): Promise<CertFiles> {
    const files = {
      cert: path.join(this.dir, `${request.name}.crt`),
      key: path.join(this.dir, `${request.name}.key`),
    };
    const csr = path.join(this.dir, `${request.name}.csr`);
    const extensions = path.join(this.dir, `${request.name}.ext`);
    const lines = [`extendedKeyUsage=${request.usage}`, 'keyUsage=critical,digitalSignature'];
    if (request.altNames?.length) lines.push(`subjectAltName=${request.altNames.join(',')}`);
    await writeFile(extensions, lines.join('\n') + '\n');
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', files.key]);
    await openssl(['req', '-new', '-key', files.key, '-subj', request.subject, '-out', csr]);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      this.ca.cert,
      '-CAkey',
      this.ca.key,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      extensions,
      '-out',
      files.cert,
    ]);
    return files;
  }

  /** A bare key pair, as kube-apiserver wants for signing ServiceAccount tokens. */
  async keyPair(name: string): Promise<{ privateKey: string; publicKey: string }> {
    const privateKey = path.join(this.dir, `${name}.key`);
    const publicKey = path.join(this.dir, `${name}.pub`);
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', privateKey]);
    await openssl(['ec', '-in', privateKey, '-pubout', '-out', publicKey]);
    return { privateKey, publicKey };
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr ?? '';
    throw new TestBedError(`openssl ${args[0] ?? ''} failed: ${stderr.trim() || String(cause)}`, {
      fix: 'install openssl (apt-get install -y openssl) and check the disk is writable',
      cause,
    });
  }
}
