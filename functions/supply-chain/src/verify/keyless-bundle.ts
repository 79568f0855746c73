/**
 * Keyless signatures in the Sigstore bundle format: the bundle carries the signing certificate, a DSSE envelope
 * and the transparency-log entry (with its signed promise and, after v0.1, its inclusion proof) in one document.
 * Checked like the classic format: certificate, identity, the envelope's signature and statement, the logged
 * time within the validity; and the entry's inclusion proof against a checkpoint of the trusted log.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { StoredBundle } from './cosign-bundle.ts';
import { statementProblem } from './cosign-bundle.ts';
import { isEnvelope, openEnvelope, payloadTypeProblem, type DsseEnvelope } from './dsse.ts';
import { inclusionProblem } from './inclusion-proof.ts';
import {
  certificateVerdict,
  promiseProblem,
  loggedWithinValidity,
  type KeylessIdentity,
  type KeylessVerdict,
  type LogEntry,
} from './keyless.ts';
import type { TrustedRoot } from './trusted-root.ts';

interface BundleLogEntry {
  logIndex?: string | number;
  logId?: { keyId?: string };
  integratedTime?: string | number;
  inclusionPromise?: { signedEntryTimestamp?: string };
  inclusionProof?: unknown;
  canonicalizedBody?: string;
}

interface VerificationMaterial {
  certificate?: { rawBytes?: string };
  x509CertificateChain?: { certificates?: { rawBytes?: string }[] };
  tlogEntries?: BundleLogEntry[];
}

function leafBytes(material: VerificationMaterial | undefined): Buffer | undefined {
  const raw = material?.certificate?.rawBytes ?? material?.x509CertificateChain?.certificates?.[0]?.rawBytes;
  return raw === undefined ? undefined : Buffer.from(raw, 'base64');
}

/** Whether the logged DSSE entry is this envelope: its payload hash and one of its signatures. */
function entryMatches(body: string, envelope: DsseEnvelope, payload: Buffer): boolean {
  try {
    const entry = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as {
      spec?: { payloadHash?: { value?: string }; signatures?: { signature?: string }[] };
    };
    const payloadHash = createHash('sha256').update(payload).digest('hex');
    const logged = (entry.spec?.signatures ?? []).map((s) => s.signature);
    return (
      entry.spec?.payloadHash?.value === payloadHash &&
      envelope.signatures.some((s) => logged.includes(s.sig))
    );
  } catch {
    return false;
  }
}

function logEntry(tlog: BundleLogEntry): LogEntry {
  return {
    body: tlog.canonicalizedBody ?? '',
    integratedTime: Number(tlog.integratedTime ?? 0),
    logIndex: Number(tlog.logIndex ?? 0),
    logID: Buffer.from(tlog.logId?.keyId ?? '', 'base64').toString('hex'),
  };
}

/**
 * v0.1 bundles may rest on the log's promise alone; every later version must carry an inclusion proof (as the
 * bundle specification says, and as cosign writes them), and so must a bundle whose version is not known.
 */
const PROMISE_ONLY_BUNDLE = 'application/vnd.dev.sigstore.bundle+json;version=0.1';

/** Why the entry's inclusion in the log is not proven: its proof fails, or is absent where it is required. */
function proofProblem(
  tlog: BundleLogEntry,
  entry: LogEntry,
  mediaType: string | undefined,
  root: TrustedRoot,
) {
  if (tlog.inclusionProof !== undefined) return inclusionProblem(tlog.inclusionProof, entry, root);
  if (mediaType === PROMISE_ONLY_BUNDLE) return undefined;
  return `its transparency-log entry carries no inclusion proof, which a bundle of ${mediaType ?? 'no media type'} must (only v0.1 bundles may rest on the promise alone)`;
}

/**
 * The logged time of the envelope, once the log's promise holds (it alone vouches for the time), its inclusion
 * is proven where the bundle version requires it, and the entry is this envelope.
 */
function bundleLoggedAt(
  bundle: { mediaType: string | undefined; tlog: BundleLogEntry | undefined },
  signed: { envelope: DsseEnvelope; payload: Buffer },
  root: TrustedRoot,
): Date | string {
  const { mediaType, tlog } = bundle;
  if (!tlog) return 'no transparency-log entry proves when it was signed';
  const entry = logEntry(tlog);
  const set = Buffer.from(tlog.inclusionPromise?.signedEntryTimestamp ?? '', 'base64');
  const problem = promiseProblem(entry, set, root) ?? proofProblem(tlog, entry, mediaType, root);
  if (problem) return problem;
  if (!entryMatches(entry.body, signed.envelope, signed.payload))
    return 'its transparency-log entry is for another signature';
  return new Date(entry.integratedTime * 1000);
}

/** The envelope and its payload: an in-toto statement signed by the certificate's key, naming `digest`. */
function openedStatement(
  envelope: unknown,
  key: KeyObject,
  digest: string,
): { envelope: DsseEnvelope; payload: Buffer } | { problem: string } {
  if (!isEnvelope(envelope)) return { problem: 'the bundle holds no DSSE envelope' };
  const payloadType = payloadTypeProblem(envelope);
  if (payloadType) return { problem: payloadType };
  const payload = openEnvelope(envelope, [key]);
  if (!payload) return { problem: 'the bundle signature does not verify with its certificate' };
  const statement = statementProblem(payload, digest);
  return statement ? { problem: statement } : { envelope, payload };
}

export function verifyKeylessBundle(
  stored: StoredBundle,
  context: { digest: string; identity: KeylessIdentity; root: TrustedRoot },
): KeylessVerdict {
  const material = (stored.bundle as { verificationMaterial?: VerificationMaterial }).verificationMaterial;
  const leaf = leafBytes(material);
  if (!leaf) return { problem: 'the bundle carries no certificate' };
  const certificate = certificateVerdict(leaf, context);
  if ('problem' in certificate) return certificate;
  const opened = openedStatement(stored.bundle.dsseEnvelope, certificate.leaf.publicKey, context.digest);
  if ('problem' in opened) return opened;
  const { envelope, payload } = opened;
  const logged = { mediaType: stored.bundle.mediaType, tlog: material?.tlogEntries?.[0] };
  const time = bundleLoggedAt(logged, { envelope, payload }, context.root);
  if (typeof time === 'string') return { problem: time };
  const window = loggedWithinValidity(certificate.chain, time, context.root);
  if (window) return { problem: window };
  return { signer: certificate.signer };
}
