/** Just enough DER to read a certificate extension Node's X509Certificate does not expose (Fulcio's issuer). */

function encodeOid(oid: string): Buffer {
  const [first = 0, second = 0, ...rest] = oid.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const groups: number[] = [];
    let value = arc;
    do {
      groups.unshift(value & 0x7f);
      value = Math.floor(value / 128);
    } while (value > 0);
    bytes.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return Buffer.from([0x06, bytes.length, ...bytes]);
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Buffer, at: number): Tlv | undefined {
  if (at + 2 > der.length) return undefined;
  const tag = der.readUInt8(at);
  let length = der.readUInt8(at + 1);
  let start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count < 1 || count > 4 || start + count > der.length) return undefined;
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + der.readUInt8(start + i);
    start += count;
  }
  return start + length > der.length ? undefined : { tag, start, end: start + length };
}

/** The value (inside the OCTET STRING) of the extension with `oid`, or undefined when absent. */
export function extensionValue(certificateDer: Buffer, oid: string): Buffer | undefined {
  const at = certificateDer.indexOf(encodeOid(oid));
  if (at === -1) return undefined;
  let next = readTlv(certificateDer, at);
  if (!next) return undefined;
  next = readTlv(certificateDer, next.end);
  // An optional BOOLEAN (critical) comes before the OCTET STRING.
  if (next?.tag === 0x01) next = readTlv(certificateDer, next.end);
  return next?.tag === 0x04 ? certificateDer.subarray(next.start, next.end) : undefined;
}

/** A DER UTF8String / IA5String / PrintableString's text; other bytes as UTF-8 (Fulcio's older raw form). */
export function derText(value: Buffer): string {
  const tlv = readTlv(value, 0);
  if (tlv && [0x0c, 0x16, 0x13].includes(tlv.tag) && tlv.end === value.length)
    return value.toString('utf8', tlv.start, tlv.end);
  return value.toString('utf8');
}
