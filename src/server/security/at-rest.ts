// Encryption at rest of the few values that would let a reader of a database dump act as the site:
// the TOTP secrets of staff and the server secret (which signs links and form timestamps).
//
// AES-256-GCM with a key derived from APP_SECRET. A stored value reads
//   enc1:<key id>:<iv>:<ciphertext+tag>   (base64url parts)
// where the key id names the APP_SECRET it was made with, so a value made with the previous secret
// (APP_SECRET_PREVIOUS, during a rotation) is still read, and `needsReencryption` finds it.
// A value without the prefix is a plaintext one stored before this existed: it is read as it is and
// rewritten encrypted by `reencryptStoredSecrets` (run at every start, after the migrations).
//
// Without APP_SECRET (development and tests) a fixed development key is used and a warning is
// printed once; with NODE_ENV=production APP_SECRET is required. See docs/architecture.md,
// "Encryption at rest and key rotation".
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

const PREFIX = 'enc1';
const DEVELOPMENT_SECRET = 'qubi-development-only-not-secret';

interface AtRestKey {
  id: string;
  key: KeyObject;
}

// Derived once per secret (a process sees one or two: APP_SECRET and, during a rotation, the
// previous one), not at every value: every hold's code is sealed with it, and opened when sent.
const derived = new Map<string, AtRestKey>();

function deriveKey(secret: string): AtRestKey {
  let key = derived.get(secret);
  if (!key) {
    // Separate derivations for the key and its public id: the id says which secret, never the key.
    key = {
      key: createSecretKey(createHash('sha256').update(`qubi at-rest key\0${secret}`).digest()),
      id: createHash('sha256').update(`qubi at-rest key id\0${secret}`).digest('base64url').slice(0, 8),
    };
    derived.set(secret, key);
  }
  return key;
}

let warned = false;

/** The current key and, during a rotation, the previous one (read only). */
export function atRestKeys(env: NodeJS.ProcessEnv = process.env): {
  current: AtRestKey;
  previous: AtRestKey | undefined;
} {
  let secret = env.APP_SECRET?.trim();
  if (!secret) {
    if (env.NODE_ENV === 'production')
      throw new Error(
        'APP_SECRET is required in production: it encrypts the TOTP secrets and the server secret at rest.',
      );
    if (!warned) {
      warned = true;
      console.warn(
        '[at-rest] APP_SECRET is not set: using the development key. Set APP_SECRET (at least 32 random characters) in production.',
      );
    }
    secret = DEVELOPMENT_SECRET;
  }
  const previous = env.APP_SECRET_PREVIOUS?.trim();
  return { current: deriveKey(secret), previous: previous && previous !== secret ? deriveKey(previous) : undefined };
}

export function encryptAtRest(plaintext: string, env: NodeJS.ProcessEnv = process.env): string {
  const { current } = atRestKeys(env);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}:${current.id}:${iv.toString('base64url')}:${body.toString('base64url')}`;
}

export const isEncrypted = (stored: string) => stored.startsWith(`${PREFIX}:`);

/**
 * The plaintext of a stored value. Throws when it was encrypted with a key neither APP_SECRET nor
 * APP_SECRET_PREVIOUS gives, or was altered (GCM's tag): better a clear failure than a wrong secret.
 */
export function decryptAtRest(stored: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!isEncrypted(stored)) return stored;
  const [, id, iv, body] = stored.split(':');
  const { current, previous } = atRestKeys(env);
  const key = [current, previous].find((k) => k?.id === id);
  if (!key || !iv || !body)
    throw new Error(
      `a value encrypted at rest with key ${id} cannot be read: set APP_SECRET_PREVIOUS to the secret it was made with`,
    );
  const bytes = Buffer.from(body, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
}

/** True for a plaintext value or one made with another key than the current one. */
export function needsReencryption(stored: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return !isEncrypted(stored) || stored.split(':')[1] !== atRestKeys(env).current.id;
}
