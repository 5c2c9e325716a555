import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * One-way hashes for secrets we only compare (basic-auth passwords, secret header values): scrypt with
 * a random salt, stored as `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64url).
 */
const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret, salt, KEY_LENGTH, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export function verifySecretHash(secret: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

/**
 * A verifier for the webhook path. scrypt costs tens of milliseconds, far too much per delivery, so the
 * digest of the last value that verified is remembered (in memory only) and later deliveries are compared
 * against it in constant time; a different value goes through scrypt again.
 */
export function cachedVerifier(stored: string): (secret: string) => boolean {
  let verifiedDigest: Buffer | null = null;
  return (secret) => {
    const digest = createHash('sha256').update(secret).digest();
    if (verifiedDigest && timingSafeEqual(digest, verifiedDigest)) return true;
    if (!verifySecretHash(secret, stored)) return false;
    verifiedDigest = digest;
    return true;
  };
}
