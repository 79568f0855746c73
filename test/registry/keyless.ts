/**
 * A keyless signing authority made locally: a CA made with openssl standing in for Fulcio (leaf certificates with
 * the subject in the SAN, the OIDC issuer in Fulcio's extension, code-signing usage) and an in-memory log with
 * an ECDSA key standing in for Rekor, both in a Sigstore trusted_root.json. Signatures are laid out as cosign's
 * classic `.sig` layers (certificate and a Rekor bundle with the log's signed entry timestamp) or as Sigstore
 * bundles v0.3 (certificate, DSSE envelope, log entry with its promise and its inclusion proof).
 */
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pushManifest } from './artifacts.ts';
import { transparencyLog, type InclusionProofJson, type TestLog } from './transparency-log.ts';

const run = promisify(execFile);

export interface KeylessAuthority {
  dir: string;
  trustedRootJson: string;
  log: TestLog;
  remove: () => void;
}

export async function keylessAuthority(): Promise<KeylessAuthority> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpg-keyless-'));
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    path.join(dir, 'ca.key'),
    '-out',
    path.join(dir, 'ca.pem'),
    '-days',
    '30',
    '-subj',
    '/O=test/CN=local-fulcio',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const ca = readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  const caDer = Buffer.from(ca.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const log = transparencyLog();
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: 'https://rekor.local',
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: log.publicDer.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256' },
        logId: { keyId: Buffer.from(log.signer.id, 'hex').toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'test', commonName: 'local-fulcio' },
        uri: 'https://fulcio.local',
        certChain: { certificates: [{ rawBytes: caDer.toString('base64') }] },
        validFor: { start: '2020-01-01T00:00:00Z' },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  };
  return {
    dir,
    trustedRootJson: JSON.stringify(trustedRoot),
    log,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Leaf {
  certificatePem: string;
  privateKey: KeyObject;
}

/** A short-lived signing certificate for `subject` (a URI) from `issuer`, valid from now for `days`. */
export async function leafCertificate(
  authority: KeylessAuthority,
  options: { subject: string; issuer: string; days?: number; codeSigning?: boolean },
): Promise<Leaf> {
  const name = randomBytes(6).toString('hex');
  const key = path.join(authority.dir, `${name}.key`);
  const csr = path.join(authority.dir, `${name}.csr`);
  const cert = path.join(authority.dir, `${name}.pem`);
  const ext = path.join(authority.dir, `${name}.ext`);
  writeFileSync(
    ext,
    [
      `subjectAltName=URI:${options.subject}`,
      `extendedKeyUsage=${options.codeSigning === false ? 'serverAuth' : 'codeSigning'}`,
      'keyUsage=critical,digitalSignature',
      `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${options.issuer}`,
      '',
    ].join('\n'),
  );
  await run('openssl', [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    '/O=sigstore.dev',
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    path.join(authority.dir, 'ca.pem'),
    '-CAkey',
    path.join(authority.dir, 'ca.key'),
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    String(options.days ?? 1),
    '-extfile',
    ext,
  ]);
  return { certificatePem: readFileSync(cert, 'utf8'), privateKey: createPrivateKey(readFileSync(key)) };
}

export interface KeylessLayer {
  payload: Buffer;
  signature: Buffer;
  annotations: Record<string, string>;
}

/** A classic cosign signature layer for `digest` signed by `leaf`, logged at `loggedAt` by the authority's log. */
export function keylessSignature(
  image: { host: string; repository: string; digest: string },
  leaf: Leaf,
  authority: KeylessAuthority,
  loggedAt = new Date(),
): KeylessLayer {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': `${image.host}/${image.repository}` },
        image: { 'docker-manifest-digest': image.digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
  const signature = sign('sha256', payload, leaf.privateKey);
  const body = Buffer.from(
    JSON.stringify({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') } },
        signature: {
          content: signature.toString('base64'),
          publicKey: { content: Buffer.from(leaf.certificatePem).toString('base64') },
        },
      },
    }),
  ).toString('base64');
  const { entry, signedEntryTimestamp } = authority.log.record(body, loggedAt);
  return {
    payload,
    signature,
    annotations: {
      'dev.cosignproject.cosign/signature': signature.toString('base64'),
      'dev.sigstore.cosign/certificate': leaf.certificatePem,
      'dev.sigstore.cosign/bundle': JSON.stringify({
        SignedEntryTimestamp: signedEntryTimestamp,
        Payload: entry,
      }),
    },
  };
}

/** Pushes the classic `.sig` manifest holding `layers` for the image's digest. */
export async function pushKeylessSignature(
  image: { host: string; repository: string; digest: string },
  layers: KeylessLayer[],
): Promise<void> {
  const config = Buffer.from('{}');
  const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  await pushManifest(`${image.host}/${image.repository}:${image.digest.replace(':', '-')}.sig`, {
    manifest: {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: digestOf(config),
        size: config.length,
      },
      layers: layers.map((layer) => ({
        mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
        digest: digestOf(layer.payload),
        size: layer.payload.length,
        annotations: layer.annotations,
      })),
    },
    blobs: [config, ...layers.map((l) => l.payload)],
  });
}

/** A Sigstore bundle (v0.3) signing `digest` keylessly: certificate, DSSE envelope and its logged entry. */
export function keylessBundle(
  digest: string,
  leaf: Leaf,
  authority: KeylessAuthority,
  loggedAt = new Date(),
): Record<string, unknown> {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'image', digest: { sha256: digest.replace('sha256:', '') } }],
    predicateType: 'https://sigstore.dev/cosign/sign/v1',
    predicate: {},
  };
  const payload = Buffer.from(JSON.stringify(statement));
  const payloadType = 'application/vnd.in-toto+json';
  const pae = Buffer.concat([
    Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${payload.length} `),
    payload,
  ]);
  const sig = sign('sha256', pae, leaf.privateKey).toString('base64');
  const body = Buffer.from(
    JSON.stringify({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') },
        signatures: [{ signature: sig, verifier: Buffer.from(leaf.certificatePem).toString('base64') }],
      },
    }),
  ).toString('base64');
  const { entry, signedEntryTimestamp, inclusionProof } = authority.log.record(body, loggedAt);
  const der = Buffer.from(leaf.certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: der.toString('base64') },
      tlogEntries: [
        {
          logIndex: String(entry.logIndex),
          logId: { keyId: Buffer.from(entry.logID, 'hex').toString('base64') },
          kindVersion: { kind: 'dsse', version: '0.0.1' },
          integratedTime: String(entry.integratedTime),
          inclusionPromise: { signedEntryTimestamp },
          inclusionProof,
          canonicalizedBody: body,
        },
      ],
    },
    dsseEnvelope: { payload: payload.toString('base64'), payloadType, signatures: [{ sig }] },
  };
}

async function putBlob(registryUrl: string, repository: string, bytes: Buffer): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const started = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  const location = new URL(started.headers.get('location') ?? '', registryUrl);
  location.searchParams.set('digest', digest);
  const done = await fetch(location, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (done.status !== 201) throw new Error(`blob upload answered ${done.status}`);
  return digest;
}

/** The bundle with one hash of its log entry's inclusion proof changed, as a forger would have to. */
export function withTamperedProof(bundle: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(bundle) as {
    verificationMaterial: { tlogEntries: { inclusionProof: InclusionProofJson }[] };
  };
  for (const { inclusionProof } of copy.verificationMaterial.tlogEntries) {
    const [first = '', ...rest] = inclusionProof.hashes;
    const bytes = Buffer.from(first, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    inclusionProof.hashes = [bytes.toString('base64'), ...rest];
  }
  return copy;
}

/**
 * Attaches a bundle to the manifest `digest` as cosign does on a registry without the referrers API: an artifact
 * manifest naming it as subject, listed in the index kept at the `sha256-<hex>` tag.
 */
export async function pushBundleReferrer(
  registryUrl: string,
  repository: string,
  digest: string,
  bundle: Record<string, unknown>,
): Promise<void> {
  const head = await fetch(`${registryUrl}/v2/${repository}/manifests/${digest}`, { method: 'HEAD' });
  const subject = { digest, size: Number(head.headers.get('content-length')) };
  const bundleType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
  const layer = Buffer.from(JSON.stringify(bundle));
  const config = Buffer.from('{}');
  const layerDigest = await putBlob(registryUrl, repository, layer);
  const configDigest = await putBlob(registryUrl, repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: bundleType,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: bundleType, digest: layerDigest, size: layer.length }],
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...subject },
    }),
  );
  const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const put = (ref: string, body: Buffer, type: string) =>
    fetch(`${registryUrl}/v2/${repository}/manifests/${ref}`, {
      method: 'PUT',
      body,
      headers: { 'content-type': type },
    });
  await put(manifestDigest, manifest, 'application/vnd.oci.image.manifest.v1+json');
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifestDigest,
        size: manifest.length,
        artifactType: bundleType,
      },
    ],
  };
  await put(
    subject.digest.replace(':', '-'),
    Buffer.from(JSON.stringify(index)),
    'application/vnd.oci.image.index.v1+json',
  );
}
