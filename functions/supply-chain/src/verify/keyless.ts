/**
 * Keyless cosign signatures in the classic format: a short-lived certificate in the layer's annotations instead
 * of a long-lived key. A signature counts when its certificate chains to a CA of the trusted root and is for code
 * signing, its subject and issuer match the plugin's identity, it signs a payload naming the pulled digest, and a
 * transparency-log entry signed by a log of the trusted root proves it was made while the certificate was valid.
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { subjectPattern } from '@mcpg-functions/shared/api';
import type { ClassicSignature } from './cosign-classic.ts';
import { payloadProblem } from './cosign-classic.ts';
import { derText, extensionValue } from './der.ts';
import {
  authorityWindowProblem,
  logSignatureValid,
  trustedLogKey,
  type TrustedRoot,
} from './trusted-root.ts';

export interface KeylessIdentity {
  subject?: string | undefined;
  /** RE2 regular expression the whole subject must match. */
  subjectRegexp?: string | undefined;
  issuer: string;
}

export interface Signer {
  subject: string;
  issuer: string;
}

export type KeylessVerdict = { signer: Signer } | { problem: string };

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const MAX_CHAIN = 5;

/** The chain from the leaf to a self-signed CA, using only the trusted root's certificates. */
export function chainToRoot(leaf: X509Certificate, root: TrustedRoot): X509Certificate[] | undefined {
  const chain = [leaf];
  for (let current = leaf; chain.length <= MAX_CHAIN;) {
    const issuer = root.authorities.find((ca) => current.checkIssued(ca) && current.verify(ca.publicKey));
    if (!issuer) return undefined;
    chain.push(issuer);
    if (issuer.checkIssued(issuer) && issuer.verify(issuer.publicKey)) return chain;
    current = issuer;
  }
  return undefined;
}

export function certificateSigner(leaf: X509Certificate): Signer | undefined {
  const names = (leaf.subjectAltName ?? '').split(/,\s*/);
  const subject = names
    .map((n) => /^(?:URI|email):(.+)$/.exec(n)?.[1])
    .find((value) => value !== undefined)
    ?.replace(/^"|"$/g, '');
  const issuerBytes = extensionValue(leaf.raw, ISSUER_V2) ?? extensionValue(leaf.raw, ISSUER_V1);
  if (subject === undefined || issuerBytes === undefined) return undefined;
  return { subject, issuer: derText(issuerBytes) };
}

export function identityProblem(signer: Signer, identity: KeylessIdentity): string | undefined {
  if (signer.issuer !== identity.issuer) return `issued by ${signer.issuer}, not ${identity.issuer}`;
  let matches: boolean;
  if (identity.subject !== undefined) matches = signer.subject === identity.subject;
  else {
    const pattern = subjectPattern(identity.subjectRegexp ?? '');
    if ('problem' in pattern) return `certificateIdentityRegexp ${pattern.problem}`;
    matches = pattern.matches(signer.subject);
  }
  return matches ? undefined : `signed by ${signer.subject}, which the identity does not allow`;
}

interface RekorBundle {
  SignedEntryTimestamp?: string;
  Payload?: { body?: string; integratedTime?: number; logIndex?: number; logID?: string };
}

function entryMatches(body: string, signature: ClassicSignature): boolean {
  try {
    const entry = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as {
      spec?: { signature?: { content?: string }; data?: { hash?: { value?: string } } };
    };
    const hash = createHash('sha256').update(signature.payload).digest('hex');
    return (
      Buffer.from(entry.spec?.signature?.content ?? '', 'base64').equals(signature.signature) &&
      entry.spec?.data?.hash?.value === hash
    );
  } catch {
    return false;
  }
}

function parseBundle(text: string): RekorBundle | undefined {
  try {
    return JSON.parse(text) as RekorBundle;
  } catch {
    return undefined;
  }
}

export interface LogEntry {
  body: string;
  integratedTime: number;
  logIndex: number;
  /** Hex sha256 of the log's public key. */
  logID: string;
}

/** Why the log's promise (signed entry timestamp) over `entry` does not hold, or undefined when it does. */
export function promiseProblem(entry: LogEntry, set: Buffer, root: TrustedRoot): string | undefined {
  const key = trustedLogKey(root, entry.logID, new Date(entry.integratedTime * 1000));
  if (typeof key === 'string') return key;
  if (set.length === 0) return 'its transparency-log entry carries no promise (signed entry timestamp)';
  // The promise covers the canonical JSON (keys in order) of the entry.
  const { body, integratedTime, logID, logIndex } = entry;
  const canonical = JSON.stringify({ body, integratedTime, logID, logIndex });
  return logSignatureValid(key, Buffer.from(canonical), set)
    ? undefined
    : 'its transparency-log promise does not verify';
}

/** When the transparency log recorded the signature, once its promise (SET) verifies; or why it cannot be used. */
export function loggedAt(signature: ClassicSignature, root: TrustedRoot): Date | string {
  if (!signature.bundle) return 'no transparency-log entry proves when it was signed';
  const bundle = parseBundle(signature.bundle);
  if (!bundle) return 'its transparency-log bundle is not JSON';
  const entry: LogEntry = { body: '', integratedTime: 0, logIndex: 0, logID: '', ...bundle.Payload };
  const problem = promiseProblem(entry, Buffer.from(bundle.SignedEntryTimestamp ?? '', 'base64'), root);
  if (problem) return problem;
  if (!entryMatches(entry.body, signature)) return 'its transparency-log entry is for another signature';
  return new Date(entry.integratedTime * 1000);
}

/** Whether every certificate of the chain was valid at `time`. */
export function validAt(chain: readonly X509Certificate[], time: Date): boolean {
  return chain.every((c) => new Date(c.validFrom) <= time && time <= new Date(c.validTo));
}

/** Why the chain could not vouch for a signature logged at `time`: a certificate or its CA's window, or undefined. */
export function loggedWithinValidity(
  chain: readonly X509Certificate[],
  time: Date,
  root: TrustedRoot,
): string | undefined {
  if (!validAt(chain, time))
    return `its certificate was not valid when the signature was logged (${time.toISOString()})`;
  return authorityWindowProblem(root, chain, time);
}

/** The certificate's checks: chain to the root, code signing, identity. */
export function certificateVerdict(
  pem: string | Buffer,
  context: { identity: KeylessIdentity; root: TrustedRoot },
): { leaf: X509Certificate; chain: X509Certificate[]; signer: Signer } | { problem: string } {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pem);
  } catch {
    return { problem: 'its certificate annotation is not a PEM certificate' };
  }
  const chain = chainToRoot(leaf, context.root);
  if (!chain) return { problem: 'its certificate does not chain to the trusted root' };
  if (!leaf.keyUsage.includes(CODE_SIGNING)) return { problem: 'its certificate is not for code signing' };
  const signer = certificateSigner(leaf);
  if (!signer) return { problem: 'its certificate names no subject or OIDC issuer' };
  const mismatch = identityProblem(signer, context.identity);
  return mismatch ? { problem: mismatch } : { leaf, chain, signer };
}

export function verifyKeyless(
  signature: ClassicSignature,
  context: { digest: string; identity: KeylessIdentity; root: TrustedRoot },
): KeylessVerdict {
  if (!signature.certificate) return { problem: 'the signature carries no certificate' };
  const certificate = certificateVerdict(signature.certificate, context);
  if ('problem' in certificate) return certificate;
  if (!verify('sha256', signature.payload, certificate.leaf.publicKey, signature.signature))
    return { problem: 'the signature does not verify with its certificate' };
  const payload = payloadProblem(signature.payload, context.digest);
  if (payload) return { problem: payload };
  const time = loggedAt(signature, context.root);
  if (typeof time === 'string') return { problem: time };
  const window = loggedWithinValidity(certificate.chain, time, context.root);
  if (window) return { problem: window };
  return { signer: certificate.signer };
}
