// The Ed25519 signing key of evidence bundles: from GAMEDAY_SIGNING_KEY (PEM text), from
// GAMEDAY_SIGNING_KEY_FILE, or from a per-user default file created on first use.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EvidenceFileError } from './read-json.ts';

export const PRIVATE_KEY_FILE_NAME = 'signing-key.pem';
export const PUBLIC_KEY_FILE_NAME = 'signing-key.pub.pem';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** sha256 (hex) of the public key's SPKI DER */
  keyid: string;
  /** SPKI PEM of the public key, as written into bundles */
  publicKeyPem: string;
  source: { kind: 'env' | 'env-file' | 'default-file'; where: string; created: boolean };
}

export class SigningKeyError extends Error {
  constructor(where: string, problem: string, fix: string) {
    super(`${where}: ${problem}\n  fix: ${fix}`);
    this.name = 'SigningKeyError';
  }
}

const GENERATE_HINT = 'create one with `openssl genpkey -algorithm ed25519 -out signing-key.pem`, or unset it to let gameday create ~/.config/gameday/signing-key.pem';

export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The canonical SPKI PEM text of a public key. */
export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** Where the default key lives: $GAMEDAY_KEY_DIR, else $XDG_CONFIG_HOME/gameday, else ~/.config/gameday. */
export function defaultKeyDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GAMEDAY_KEY_DIR) return path.resolve(env.GAMEDAY_KEY_DIR);
  return path.join(env.XDG_CONFIG_HOME ? path.resolve(env.XDG_CONFIG_HOME) : path.join(os.homedir(), '.config'), 'gameday');
}

function privateKeyFromPem(pem: string, where: string): KeyObject {
  // secret stores often flatten newlines to the two characters "\n"
  const text = !pem.includes('\n') && pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch (err) {
    const msg = (err as Error).message;
    if (/passphrase/i.test(msg)) throw new SigningKeyError(where, 'the private key is encrypted', 'provide an unencrypted PKCS#8 PEM (openssl pkey -in key.pem -out plain.pem) from your secret store');
    throw new SigningKeyError(where, `not a PEM private key (${msg})`, GENERATE_HINT);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(where, `not an Ed25519 key (found ${key.asymmetricKeyType})`, GENERATE_HINT);
  return key;
}

function fromPrivateKey(privateKey: KeyObject, source: SigningKey['source']): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyid: keyId(publicKey), publicKeyPem: publicKeyPem(publicKey), source };
}

function creationNotice(privateFile: string, publicFile: string): string {
  return [
    'gameday: created a new Ed25519 key to sign evidence bundles',
    `  private key: ${privateFile} (mode 0600, keep it secret)`,
    `  public key:  ${publicFile}; every bundle also carries it as signing-key.pub.pem`,
    '  Back the private key up: bundles signed with it can be checked against its public key for good,',
    '  and a lost key cannot sign again as the same signer. Hand auditors the public key by a channel',
    '  other than the bundle (gameday verify BUNDLE --key signing-key.pub.pem proves who signed).',
    '  In CI, do not let each job create a key: provide it from your secret store as',
    '  GAMEDAY_SIGNING_KEY (PEM text) or GAMEDAY_SIGNING_KEY_FILE (a path).',
  ].join('\n');
}

/** The default key, created (mode 0600, and its public key next to it) when there is none. */
function defaultFileKey(dir: string, notice: (message: string) => void): SigningKey {
  const privateFile = path.join(dir, PRIVATE_KEY_FILE_NAME);
  const publicFile = path.join(dir, PUBLIC_KEY_FILE_NAME);
  let created = false;
  if (!fs.existsSync(privateFile)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // EEXIST: another run created it meanwhile, use that one
      if (code !== 'EEXIST') throw new SigningKeyError(privateFile, `cannot create the signing key (${code ?? (err as Error).message})`, 'provide a key as GAMEDAY_SIGNING_KEY or GAMEDAY_SIGNING_KEY_FILE, or point GAMEDAY_KEY_DIR at a writable folder');
    }
  }
  const mode = fs.statSync(privateFile).mode & 0o777;
  if (!created && mode & 0o077) notice(`gameday: warning: ${privateFile} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 ${privateFile}`);
  const key = fromPrivateKey(privateKeyFromPem(fs.readFileSync(privateFile, 'utf8'), privateFile), { kind: 'default-file', where: privateFile, created });
  const existingPublic = fs.existsSync(publicFile) ? fs.readFileSync(publicFile, 'utf8') : null;
  if (existingPublic !== key.publicKeyPem) fs.writeFileSync(publicFile, key.publicKeyPem, { mode: 0o644 });
  if (created) notice(creationNotice(privateFile, publicFile));
  return key;
}

export interface LoadKeyOptions {
  env?: NodeJS.ProcessEnv;
  /** one-time messages (key created, loose permissions); default: stderr */
  notice?: (message: string) => void;
}

export function loadSigningKey(opts: LoadKeyOptions = {}): SigningKey {
  const env = opts.env ?? process.env;
  const notice = opts.notice ?? ((m: string) => process.stderr.write(`${m}\n`));
  if (env.GAMEDAY_SIGNING_KEY) return fromPrivateKey(privateKeyFromPem(env.GAMEDAY_SIGNING_KEY, 'GAMEDAY_SIGNING_KEY'), { kind: 'env', where: 'GAMEDAY_SIGNING_KEY', created: false });
  if (env.GAMEDAY_SIGNING_KEY_FILE) {
    const file = path.resolve(env.GAMEDAY_SIGNING_KEY_FILE);
    let pem: string;
    try {
      pem = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new SigningKeyError(`GAMEDAY_SIGNING_KEY_FILE=${file}`, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'point it at the Ed25519 private key PEM, or unset it');
    }
    return fromPrivateKey(privateKeyFromPem(pem, file), { kind: 'env-file', where: file, created: false });
  }
  return defaultFileKey(defaultKeyDir(env), notice);
}

/** An Ed25519 public key from PEM text (SPKI); `file` names it in errors. */
export function parsePublicKey(text: string, file: string): KeyObject {
  if (/PRIVATE KEY/.test(text)) throw new EvidenceFileError(file, ['this is a private key'], 'pass the public key (signing-key.pub.pem), and keep the private key out of reach of verifiers');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch (err) {
    throw new EvidenceFileError(file, [`not a PEM public key (${(err as Error).message})`], 'pass the signer\'s public key, e.g. ~/.config/gameday/signing-key.pub.pem');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new EvidenceFileError(file, [`not an Ed25519 key (found ${key.asymmetricKeyType})`], 'pass the Ed25519 public key that signed the bundle');
  return key;
}

export function readPublicKey(file: string): KeyObject {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new EvidenceFileError(file, [`cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`], 'pass the path of the signer\'s public key PEM');
  }
  return parsePublicKey(text, file);
}
