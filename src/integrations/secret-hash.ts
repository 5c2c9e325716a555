import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';

/**
 * One-way hashes for secrets we only compare (basic-auth passwords, secret header values): scrypt with
 * a random salt, stored as `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64url). scrypt runs on libuv's thread pool,
 * never on the event loop: one hash costs tens of milliseconds of CPU.
 */
const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
/** Stored parameters are ours, but a tampered row must not make one verification take minutes or gigabytes. */
const MAX_N = 1 << 17;

function scryptAsync(secret: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, KEY_LENGTH, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifySecretHash(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const cost = Number(n);
  if (scheme !== 'scrypt' || !salt || !hash || !(cost > 1 && cost <= MAX_N)) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: cost,
    r: Number(r),
    p: Number(p),
    maxmem: 256 * cost * Number(r) + 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
}
