import { generateKeyPairSync, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildStatement, pae, serializeEnvelope, signPayload, signStatement, verifyEnvelope } from '../../src/evidence/attestation.ts';
import { defaultKeyDir, keyId, loadSigningKey, SigningKeyError } from '../../src/evidence/keys.ts';
import { buildPredicate } from '../../src/evidence/predicate.ts';
import { readDecisions, readManifest } from '../../src/evidence/run-files.ts';
import { attestRun } from '../../src/evidence/sign-run.ts';
import { ENVELOPE_FILE, PUBLIC_KEY_FILE } from '../../src/evidence/layout.ts';
import { DRILL_RUN_PREDICATE_TYPE, DSSE_PAYLOAD_TYPE, DsseEnvelope, IN_TOTO_STATEMENT_TYPE, InTotoStatement } from '../../src/schema/evidence.ts';
import { makeRunDir, testKey, tmpDir } from './evidence-fixture.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = tmpDir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function predicate(dir: string, previous: string | null = null) {
  return buildPredicate(readManifest(dir), readDecisions(dir), previous);
}

describe('DSSE PAE', () => {
  it('matches the DSSE protocol example byte for byte', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString('latin1')).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('counts bytes, not characters, and keeps the body as is', () => {
    const body = Buffer.from('{"a":"é"}', 'utf8'); // é is two bytes in UTF-8
    const expected = Buffer.concat([Buffer.from('DSSEv1 28 application/vnd.in-toto+json 10 ', 'ascii'), body]);
    expect(pae(DSSE_PAYLOAD_TYPE, body).equals(expected)).toBe(true);
    expect(pae('', Buffer.alloc(0)).toString('latin1')).toBe('DSSEv1 0  0 ');
  });

  it('signs exactly the PAE bytes with Ed25519', () => {
    const key = testKey();
    const env = signPayload('http://example.com/HelloWorld', Buffer.from('hello world'), key);
    const sig = Buffer.from(env.signatures[0].sig, 'base64');
    expect(verify(null, Buffer.from('DSSEv1 29 http://example.com/HelloWorld 11 hello world'), key.publicKey, sig)).toBe(true);
    expect(verify(null, Buffer.from('hello world'), key.publicKey, sig)).toBe(false);
    expect(Buffer.from(env.payload, 'base64').toString()).toBe('hello world');
  });
});

describe('in-toto statement in a DSSE envelope', () => {
  it('builds a Statement v1 with sorted subjects and the drill-run predicate', () => {
    const dir = makeRunDir(tmp());
    const statement = buildStatement({
      artifacts: [
        { path: 'logs/b.log', sha256: 'b'.repeat(64) },
        { path: 'decisions.json', sha256: 'a'.repeat(64) },
      ],
      predicate: predicate(dir, 'c'.repeat(64)),
    });
    expect(statement._type).toBe(IN_TOTO_STATEMENT_TYPE);
    expect(statement.predicateType).toBe(DRILL_RUN_PREDICATE_TYPE);
    expect(statement.subject).toEqual([
      { name: 'decisions.json', digest: { sha256: 'a'.repeat(64) } },
      { name: 'logs/b.log', digest: { sha256: 'b'.repeat(64) } },
    ]);
    expect(statement.predicate).toMatchObject({
      drill: { name: 'partner-hub-baseline' },
      app: 'APP2',
      runId: '20261123T192014Z-bb2f44',
      decision: { decision: 'GO', exitCode: 0, invalid: false },
      verdicts: { total: 4, passed: 4, failed: 0 },
      policy: { blocking: ['offers-p95-steady', 'errors-during-fault', 'offers-p95-recovery'], advisory: ['offers-p95-fault'], waivers: [] },
      result: 'PASSED',
      previousRunDigest: 'c'.repeat(64),
      timeScale: 1,
    });
    const withWaiver = buildPredicate(readManifest(dir), { ...readDecisions(dir), waivers: [{ slo: 'offers-p95-fault', owner: 'sre-lead', reason: 'JIRA-42', expires: '2026-12-31', status: 'applied' }] }, null);
    expect(withWaiver.policy.waivers).toEqual([{ slo: 'offers-p95-fault', owner: 'sre-lead', reason: 'JIRA-42', expires: '2026-12-31', status: 'applied' }]);
    expect(() => buildStatement({ artifacts: [{ path: '../etc/passwd', sha256: 'a'.repeat(64) }], predicate: predicate(dir) })).toThrow();
    expect(() => buildStatement({ artifacts: [{ path: 'x', sha256: 'XYZ' }], predicate: predicate(dir) })).toThrow();
  });

  it('round-trips: signed with a key, verified with its public key', () => {
    const dir = makeRunDir(tmp());
    const key = testKey();
    const statement = buildStatement({ artifacts: [{ path: 'decisions.json', sha256: 'a'.repeat(64) }], predicate: predicate(dir) });
    const envelope = signStatement(statement, key);
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(envelope.signatures[0].keyid).toBe(key.keyid);
    const verdict = verifyEnvelope(JSON.parse(serializeEnvelope(envelope)), key.publicKey);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.statement).toEqual(statement);
  });

  it('says which check failed', () => {
    const dir = makeRunDir(tmp());
    const key = testKey();
    const other = testKey();
    const statement = buildStatement({ artifacts: [{ path: 'decisions.json', sha256: 'a'.repeat(64) }], predicate: predicate(dir) });
    const envelope = signStatement(statement, key);
    const failed = (e: unknown, k = key.publicKey) => {
      const v = verifyEnvelope(e, k);
      return v.ok ? 'ok' : v.failed;
    };
    expect(failed(envelope)).toBe('ok');
    expect(failed({ ...envelope, signatures: [] })).toBe('format');
    expect(failed({ ...envelope, payloadType: 'application/json' })).toBe('payload-type');
    expect(failed(envelope, other.publicKey)).toBe('keyid');
    // the payload changed after signing: one subject digest edited
    const forged = { ...statement, subject: [{ name: 'decisions.json', digest: { sha256: 'b'.repeat(64) } }] };
    expect(failed({ ...envelope, payload: Buffer.from(JSON.stringify(forged)).toString('base64') })).toBe('signature');
    // a valid signature whose keyid was edited
    expect(failed({ ...envelope, signatures: [{ keyid: 'f'.repeat(64), sig: envelope.signatures[0].sig }] })).toBe('keyid-altered');
    // signed, but not a statement
    expect(failed(signPayload(DSSE_PAYLOAD_TYPE, Buffer.from('{"hello":1}'), key))).toBe('statement');
  });

  it('attestRun signs every file of the run but the seal, and writes the public key beside it', async () => {
    const dir = makeRunDir(tmp());
    const key = testKey();
    const result = await attestRun(dir, { previousRunDigest: null, key });
    const line = fs.readFileSync(path.join(dir, ENVELOPE_FILE), 'utf8');
    expect(line.endsWith('\n') && line.indexOf('\n') === line.length - 1).toBe(true);
    const envelope = DsseEnvelope.parse(JSON.parse(line));
    const statement = InTotoStatement.parse(JSON.parse(Buffer.from(envelope.payload, 'base64').toString()));
    const names = statement.subject.map((s) => s.name);
    expect(names).toContain('run_manifest.json');
    expect(names).toContain('k6_samples.ndjson.gz');
    expect(names).toContain('logs/partner-hub-0.log');
    expect(names).not.toContain(ENVELOPE_FILE);
    expect(names).not.toContain(PUBLIC_KEY_FILE);
    expect(fs.readFileSync(path.join(dir, PUBLIC_KEY_FILE), 'utf8')).toBe(key.publicKeyPem);
    expect(result.keyid).toBe(keyId(key.publicKey));
    expect(verifyEnvelope(envelope, key.publicKey).ok).toBe(true);
  });
});

describe('signing keys', () => {
  it('creates the default key on first use (0600), its public key beside it, and says so once', () => {
    const dir = path.join(tmp(), 'keys');
    const notices: string[] = [];
    const env = { GAMEDAY_KEY_DIR: dir };
    const first = loadSigningKey({ env, notice: (m) => notices.push(m) });
    expect(defaultKeyDir(env)).toBe(dir);
    expect(first.source).toEqual({ kind: 'default-file', where: path.join(dir, 'signing-key.pem'), created: true });
    expect(fs.statSync(path.join(dir, 'signing-key.pem')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'signing-key.pub.pem'), 'utf8')).toBe(first.publicKeyPem);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(path.join(dir, 'signing-key.pem'));
    expect(notices[0]).toContain('signing-key.pub.pem');
    expect(notices[0]).toMatch(/back the private key up/i);
    expect(notices[0]).toContain('GAMEDAY_SIGNING_KEY');

    const second = loadSigningKey({ env, notice: (m) => notices.push(m) });
    expect(second.keyid).toBe(first.keyid);
    expect(second.source.created).toBe(false);
    expect(notices).toHaveLength(1);
  });

  it('takes GAMEDAY_SIGNING_KEY (also with flattened newlines) before GAMEDAY_SIGNING_KEY_FILE before the default', () => {
    const dir = tmp();
    const a = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const b = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    fs.writeFileSync(path.join(dir, 'b.pem'), b);
    const env = { GAMEDAY_SIGNING_KEY: a.replace(/\n/g, '\\n'), GAMEDAY_SIGNING_KEY_FILE: path.join(dir, 'b.pem'), GAMEDAY_KEY_DIR: path.join(dir, 'default') };
    const fromEnv = loadSigningKey({ env });
    expect(fromEnv.source.kind).toBe('env');
    const fromFile = loadSigningKey({ env: { ...env, GAMEDAY_SIGNING_KEY: '' } });
    expect(fromFile.source.kind).toBe('env-file');
    expect(fromFile.keyid).not.toBe(fromEnv.keyid);
    expect(fs.existsSync(path.join(dir, 'default'))).toBe(false);
  });

  it('refuses a key that is not Ed25519, naming where it came from', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadSigningKey({ env: { GAMEDAY_SIGNING_KEY: rsa } })).toThrow(SigningKeyError);
    expect(() => loadSigningKey({ env: { GAMEDAY_SIGNING_KEY: rsa } })).toThrow(/GAMEDAY_SIGNING_KEY: not an Ed25519 key \(found rsa\)[\s\S]*fix:/);
    expect(() => loadSigningKey({ env: { GAMEDAY_SIGNING_KEY_FILE: '/nonexistent/key.pem' } })).toThrow(/cannot be read/);
  });
});
