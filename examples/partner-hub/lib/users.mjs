// The hub's user table for POST /login: a small in-memory table of salted scrypt hashes.
// USERS='{"alice":"wonderland"}' replaces the demo users. Verification runs on libuv's thread
// pool (crypto.scrypt), so a flood of logins costs real CPU, as a password check does.
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt);
/** cheap enough for a demo on two cores, still a real key-derivation function */
const SCRYPT = { N: 1024, r: 8, p: 1 };
const KEY_LEN = 32;

export const DEMO_USERS = Object.freeze({ alice: 'wonderland', bob: 'builder', carol: 'christmas' });

/**
 * @param {Record<string, string>} users name → password
 */
export function createUserTable(users) {
  /** @type {Map<string, { salt: Buffer, hash: Buffer }>} */
  const table = new Map();
  for (const [name, password] of Object.entries(users)) {
    if (typeof password !== 'string') throw new Error(`USERS: the password of ${name} must be a string`);
    const salt = crypto.randomBytes(16);
    table.set(name, { salt, hash: crypto.scryptSync(password, salt, KEY_LEN, SCRYPT) });
  }
  // unknown users are checked against a dummy hash: the answer takes as long as for a known one
  const dummy = { salt: crypto.randomBytes(16), hash: crypto.randomBytes(KEY_LEN) };

  return {
    size: table.size,
    /** true when `password` is the password of `name` */
    async verify(name, password) {
      if (typeof name !== 'string' || typeof password !== 'string') return false;
      const entry = table.get(name);
      const derived = /** @type {Buffer} */ (await scrypt(password, (entry ?? dummy).salt, KEY_LEN, SCRYPT));
      return entry !== undefined && crypto.timingSafeEqual(derived, entry.hash);
    },
  };
}
