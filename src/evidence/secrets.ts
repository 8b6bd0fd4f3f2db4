// The secret check of a run directory: no secret (webhook secrets, tokens) may appear in any
// artifact, neither as written nor encoded (JSON-escaped, URL-encoded, hex, base64 or
// base64url at any byte alignment), neither in a file nor inside its gzip content. It reads
// and reports; it does not rewrite files (a leak means the evidence must be regenerated, not
// patched). Findings name the file and the form, never the secret.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { walkRunDir } from './layout.ts';

export type SecretForm = 'raw' | 'json-escaped' | 'url-encoded' | 'hex' | 'base64' | 'base64url' | 'key material';

export interface SecretFinding {
  /** relative path in the run directory */
  file: string;
  where: 'file' | 'gzip content';
  form: SecretForm;
  /** index of the secret in the list given (the secret itself is never reported) */
  secret: number;
}

export interface SecretScan {
  ok: boolean;
  findings: SecretFinding[];
  /** files whose content could not be read to the end (e.g. a corrupt gzip): not proven clean */
  unscanned: Array<{ file: string; reason: string }>;
  /** secrets too short to search for without matching everything */
  skipped: number[];
}

/** Shorter patterns would match ordinary text. */
export const MIN_SECRET_LENGTH = 6;

interface Pattern {
  bytes: Buffer;
  form: SecretForm;
  secret: number;
}

/** The characters of base64(prefix + data) that depend on `data` alone, for a prefix of `offset` bytes. */
function alignedBase64(data: Buffer, offset: number, url: boolean): string {
  const full = Buffer.concat([Buffer.alloc(offset), data]).toString(url ? 'base64url' : 'base64');
  const from = Math.ceil((offset * 8) / 6);
  const to = Math.floor(((offset + data.length) * 8) / 6);
  return full.slice(from, to);
}

/** Every form in which `secret` could have been written. */
export function secretPatterns(secret: string, index: number): Pattern[] {
  const raw = Buffer.from(secret, 'utf8');
  const forms: Array<[SecretForm, string | Buffer]> = [
    ['raw', raw],
    ['json-escaped', JSON.stringify(secret).slice(1, -1)],
    ['url-encoded', encodeURIComponent(secret)],
    ['url-encoded', encodeURIComponent(secret).replace(/%20/g, '+')],
    ['hex', raw.toString('hex')],
    ['hex', raw.toString('hex').toUpperCase()],
  ];
  for (const offset of [0, 1, 2]) {
    forms.push(['base64', alignedBase64(raw, offset, false)]);
    forms.push(['base64url', alignedBase64(raw, offset, true)]);
  }
  // Standard Webhooks secrets: the key is the base64 after "whsec_"
  const m = /^whsec_(.+)$/.exec(secret);
  if (m) {
    const key = Buffer.from(m[1], 'base64');
    forms.push(['key material', m[1]], ['key material', key], ['key material', key.toString('hex')]);
  }
  const seen = new Set<string>();
  const out: Pattern[] = [];
  for (const [form, value] of forms) {
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
    const id = bytes.toString('hex');
    if (bytes.length < MIN_SECRET_LENGTH || seen.has(id)) continue;
    seen.add(id);
    out.push({ bytes, form, secret: index });
  }
  return out;
}

/** Which patterns occur in the stream (matches across chunk boundaries included). */
async function scanStream(stream: Readable, patterns: readonly Pattern[]): Promise<Set<Pattern>> {
  const found = new Set<Pattern>();
  const keep = Math.max(0, ...patterns.map((p) => p.bytes.length)) - 1;
  let carry = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const window = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    for (const p of patterns) if (!found.has(p) && window.includes(p.bytes)) found.add(p);
    carry = keep > 0 ? Buffer.from(window.subarray(Math.max(0, window.length - keep))) : Buffer.alloc(0);
  }
  return found;
}

function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Checks every file of the run directory (gzip content included: every member of a
 * multi-member gzip) for the secrets. `ok` is false when a secret was found or a file could not
 * be read to its end.
 */
export async function scrubSecrets(runDir: string, secrets: readonly string[]): Promise<SecretScan> {
  const skipped: number[] = [];
  const patterns: Pattern[] = [];
  secrets.forEach((s, i) => {
    if (Buffer.byteLength(s, 'utf8') < MIN_SECRET_LENGTH) skipped.push(i);
    else patterns.push(...secretPatterns(s, i));
  });
  const findings: SecretFinding[] = [];
  const unscanned: SecretScan['unscanned'] = [];
  if (patterns.length) {
    for (const f of walkRunDir(runDir)) {
      if (f.kind !== 'file') continue;
      const full = path.join(runDir, f.path);
      const record = (where: SecretFinding['where'], hits: Set<Pattern>) => {
        for (const p of hits) findings.push({ file: f.path, where, form: p.form, secret: p.secret });
      };
      try {
        record('file', await scanStream(fs.createReadStream(full, { highWaterMark: 1 << 20 }), patterns));
        if (isGzip(full)) {
          const source = fs.createReadStream(full, { highWaterMark: 1 << 20 });
          const gunzip = createGunzip();
          source.on('error', (err) => gunzip.destroy(err));
          record('gzip content', await scanStream(source.pipe(gunzip), patterns));
        }
      } catch (err) {
        unscanned.push({ file: f.path, reason: (err as Error).message });
      }
    }
  }
  return { ok: findings.length === 0 && unscanned.length === 0, findings, unscanned, skipped };
}
