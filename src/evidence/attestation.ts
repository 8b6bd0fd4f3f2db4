// The in-toto Statement v1 over every file of a run, signed in a DSSE envelope with Ed25519.
// PAE (the signed bytes) = "DSSEv1" SP len(type) SP type SP len(body) SP body, lengths in
// ASCII decimal bytes (https://github.com/secure-systems-lab/dsse/blob/master/protocol.md).
import { sign, verify, type KeyObject } from 'node:crypto';
import {
  DRILL_RUN_PREDICATE_TYPE,
  DSSE_PAYLOAD_TYPE,
  DsseEnvelope,
  IN_TOTO_STATEMENT_TYPE,
  InTotoStatement,
  type DrillRunPredicate,
} from '../schema/evidence.ts';
import { describeIssues } from '../schema/load.ts';
import { keyId } from './keys.ts';
import { comparePaths } from './layout.ts';

/** Pre-Authentication Encoding of DSSE v1. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, 'ascii'), type, Buffer.from(` ${payload.length} `, 'ascii'), payload]);
}

export function buildStatement(input: { artifacts: ReadonlyArray<{ path: string; sha256: string }>; predicate: DrillRunPredicate }): InTotoStatement {
  const subject = [...input.artifacts]
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((a) => ({ name: a.path, digest: { sha256: a.sha256 } }));
  return InTotoStatement.parse({ _type: IN_TOTO_STATEMENT_TYPE, subject, predicateType: DRILL_RUN_PREDICATE_TYPE, predicate: input.predicate });
}

export function signPayload(payloadType: string, payload: Uint8Array, key: { privateKey: KeyObject; keyid: string }): DsseEnvelope {
  const sig = sign(null, pae(payloadType, payload), key.privateKey).toString('base64');
  return { payload: Buffer.from(payload).toString('base64'), payloadType, signatures: [{ keyid: key.keyid, sig }] };
}

export function signStatement(statement: InTotoStatement, key: { privateKey: KeyObject; keyid: string }): DsseEnvelope {
  return signPayload(DSSE_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), 'utf8'), key);
}

/** The one way an envelope is written: one JSON line, fixed key order. Verification requires exactly these bytes. */
export function serializeEnvelope(envelope: DsseEnvelope): string {
  const ordered = {
    payload: envelope.payload,
    payloadType: envelope.payloadType,
    signatures: envelope.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig })),
  };
  return `${JSON.stringify(ordered)}\n`;
}

/**
 * Which check of an envelope failed: format (not a canonical DSSE envelope), payload-type,
 * keyid (not signed by this key), signature (signed by this key, but the payload or signature
 * changed since), keyid-altered (the signature verifies, but its keyid was edited), statement
 * (signed, but not a gameday drill-run statement).
 */
export type EnvelopeCheck = 'format' | 'payload-type' | 'keyid' | 'signature' | 'keyid-altered' | 'statement';

export type EnvelopeVerdict =
  | { ok: true; keyid: string; statement: InTotoStatement }
  | { ok: false; failed: EnvelopeCheck; message: string };

function canonicalBase64(b64: string): Buffer | null {
  const bytes = Buffer.from(b64, 'base64');
  return bytes.toString('base64') === b64 ? bytes : null;
}

/**
 * Checks, in order: the envelope's form, its payload type, that one of its signatures verifies
 * with `publicKey` (naming the key ids it was signed with when none does), and that the signed
 * payload is a gameday in-toto statement.
 */
export function verifyEnvelope(raw: unknown, publicKey: KeyObject): EnvelopeVerdict {
  const parsed = DsseEnvelope.safeParse(raw);
  if (!parsed.success) return { ok: false, failed: 'format', message: `not a DSSE envelope: ${describeIssues(parsed.error.issues).join('; ')}` };
  const envelope = parsed.data;
  if (envelope.payloadType !== DSSE_PAYLOAD_TYPE) return { ok: false, failed: 'payload-type', message: `payloadType is "${envelope.payloadType}", expected "${DSSE_PAYLOAD_TYPE}"` };
  const payload = canonicalBase64(envelope.payload);
  if (!payload) return { ok: false, failed: 'format', message: 'payload is not canonical base64' };
  const wanted = keyId(publicKey);
  const message = pae(envelope.payloadType, payload);
  const good = envelope.signatures.find((s) => {
    const sig = canonicalBase64(s.sig);
    return sig !== null && verify(null, message, publicKey, sig);
  });
  if (!good) {
    if (!envelope.signatures.some((s) => s.keyid === wanted)) {
      return { ok: false, failed: 'keyid', message: `signed by key ${envelope.signatures.map((s) => s.keyid.slice(0, 16)).join(', ')}, not by the given key ${wanted.slice(0, 16)}` };
    }
    return { ok: false, failed: 'signature', message: `the signature of key ${wanted.slice(0, 16)} does not match the signed payload: the envelope was changed after signing` };
  }
  if (good.keyid !== wanted) return { ok: false, failed: 'keyid-altered', message: `the signature verifies, but its keyid was changed to "${good.keyid}" (the key's id is ${wanted})` };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, failed: 'statement', message: 'the signed payload is not JSON' };
  }
  const statement = InTotoStatement.safeParse(json);
  if (!statement.success) return { ok: false, failed: 'statement', message: `the signed payload is not a gameday drill-run statement: ${describeIssues(statement.error.issues).join('; ')}` };
  return { ok: true, keyid: wanted, statement: statement.data };
}
