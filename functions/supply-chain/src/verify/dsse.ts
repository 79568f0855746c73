/**
 * DSSE envelopes (the signing wrapper of Sigstore bundles and in-toto attestations): the signature covers the
 * pre-authentication encoding of payload type and payload, never the raw payload, so neither can be swapped.
 */
import { verify, type KeyObject } from 'node:crypto';

export interface DsseEnvelope {
  payload: string;
  payloadType: string;
  signatures: { sig: string; keyid?: string }[];
}

export function preAuthenticationEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

export function isEnvelope(value: unknown): value is DsseEnvelope {
  const envelope = value as Partial<DsseEnvelope> | null;
  return (
    typeof envelope?.payload === 'string' &&
    typeof envelope.payloadType === 'string' &&
    Array.isArray(envelope.signatures)
  );
}

/** The payload type of an in-toto statement, the only payload image signatures and attestations carry. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/**
 * Why the envelope does not declare an in-toto statement, or undefined. The type is signed, so a verified
 * envelope of another type was signed as something else and must not be read as a statement.
 */
export function payloadTypeProblem(envelope: DsseEnvelope): string | undefined {
  return envelope.payloadType === IN_TOTO_PAYLOAD_TYPE
    ? undefined
    : `the bundle's DSSE payload type is ${JSON.stringify(envelope.payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`;
}

/** The payload when one signature verifies with one of `keys`; undefined otherwise. */
export function openEnvelope(envelope: DsseEnvelope, keys: readonly KeyObject[]): Buffer | undefined {
  const payload = Buffer.from(envelope.payload, 'base64');
  const signed = preAuthenticationEncoding(envelope.payloadType, payload);
  const verifies = envelope.signatures.some((signature) =>
    keys.some((key) =>
      verify(
        key.asymmetricKeyType === 'ed25519' ? null : 'sha256',
        signed,
        key,
        Buffer.from(signature.sig, 'base64'),
      ),
    ),
  );
  return verifies ? payload : undefined;
}

export interface Statement {
  _type?: string;
  subject?: { name?: string; digest?: Record<string, string> }[];
  predicateType?: string;
  predicate?: unknown;
}

export function parseStatement(payload: Buffer): Statement | undefined {
  try {
    const statement = JSON.parse(payload.toString('utf8')) as unknown;
    return typeof statement === 'object' && statement !== null ? statement : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the statement names `sha256Hex` (any case) among its subjects. */
export function namesSubject(statement: Statement, sha256Hex: string): boolean {
  return (statement.subject ?? []).some((s) => s.digest?.sha256?.toLowerCase() === sha256Hex.toLowerCase());
}
