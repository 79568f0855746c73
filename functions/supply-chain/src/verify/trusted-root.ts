/**
 * A Sigstore trusted root (`trusted_root.json`), read from a file once at start: the certificate authorities that
 * issue keyless signing certificates and the transparency-log keys that vouch for when a signature was made.
 * Loaded as given, without TUF: in an air-gapped cluster the file is the trust decision.
 */
import { createHash, createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';

const validFor = z.object({ start: z.string().optional(), end: z.string().optional() }).optional();

const trustedRootFile = z.object({
  tlogs: z.array(z.object({ publicKey: z.object({ rawBytes: z.string(), validFor }) })).default([]),
  certificateAuthorities: z
    .array(
      z.object({
        certChain: z.object({ certificates: z.array(z.object({ rawBytes: z.string() })).min(1) }),
        validFor,
      }),
    )
    .default([]),
});

/** When a CA or log key may vouch for a signature: its `validFor` window (open ends unbounded). */
export interface Window {
  start?: Date | undefined;
  end?: Date | undefined;
}

export interface TrustedRoot {
  /** Every CA certificate (roots and intermediates) keyless certificates may chain to. */
  authorities: X509Certificate[];
  /** Transparency-log keys by log id (hex sha256 of the DER public key). */
  logs: Map<string, KeyObject>;
  /** The `validFor` windows of the CAs' certificates and of the log keys (by log id). */
  windows: { authorities: Map<X509Certificate, Window>; logs: Map<string, Window> };
}

function windowOf(window: z.infer<typeof validFor>): Window {
  const at = (text: string | undefined) => (text === undefined ? undefined : new Date(text));
  return { start: at(window?.start), end: at(window?.end) };
}

function within(window: Window | undefined, time: Date): boolean {
  return (window?.start ?? time) <= time && time <= (window?.end ?? time);
}

function describeWindow(window: Window | undefined): string {
  return `${window?.start?.toISOString() ?? 'any time'} to ${window?.end?.toISOString() ?? 'now'}`;
}

export function parseTrustedRoot(json: string): TrustedRoot {
  let parsed;
  try {
    parsed = trustedRootFile.parse(JSON.parse(json));
  } catch (error) {
    throw new Error(`the trusted root is not a Sigstore trusted_root.json: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const windows: TrustedRoot['windows'] = { authorities: new Map(), logs: new Map() };
  const authorities = parsed.certificateAuthorities.flatMap((ca) =>
    ca.certChain.certificates.map((c) => {
      const certificate = new X509Certificate(Buffer.from(c.rawBytes, 'base64'));
      windows.authorities.set(certificate, windowOf(ca.validFor));
      return certificate;
    }),
  );
  const logs = new Map<string, KeyObject>();
  for (const log of parsed.tlogs) {
    const der = Buffer.from(log.publicKey.rawBytes, 'base64');
    const id = createHash('sha256').update(der).digest('hex');
    logs.set(id, createPublicKey({ key: der, format: 'der', type: 'spki' }));
    windows.logs.set(id, windowOf(log.publicKey.validFor));
  }
  return { authorities, logs, windows };
}

/**
 * The key of the transparency log `logID` (hex) for an entry logged at `time`, or why the trusted root has none:
 * a key outside its `validFor` window (a retired or not yet active log) vouches for nothing.
 */
export function trustedLogKey(root: TrustedRoot, logID: string, time?: Date): KeyObject | string {
  const key = root.logs.get(logID);
  if (!key) return `its transparency log ${logID || '(none)'} is not in the trusted root`;
  const window = root.windows.logs.get(logID);
  if (time !== undefined && !within(window, time))
    return `its transparency log ${logID} was trusted from ${describeWindow(window)}, not when the entry was logged (${time.toISOString()})`;
  return key;
}

/** Why a CA certificate of the chain could not vouch at `time` (outside its CA's `validFor`), or undefined. */
export function authorityWindowProblem(
  root: TrustedRoot,
  chain: readonly X509Certificate[],
  time: Date,
): string | undefined {
  const outside = chain.find(
    (c) => root.windows.authorities.has(c) && !within(root.windows.authorities.get(c), time),
  );
  if (!outside) return undefined;
  return `its certificate authority ${outside.subject.replace(/\n/g, ', ')} was trusted from ${describeWindow(root.windows.authorities.get(outside))}, not when the signature was logged (${time.toISOString()})`;
}

/** Whether `signature` over `data` verifies with a transparency-log key: ECDSA over SHA-256 (Rekor's), or Ed25519. */
export function logSignatureValid(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  return verify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, key, signature);
}
