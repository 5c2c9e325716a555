/**
 * ENCRYPTION_KEY: 32 bytes, as 64 hex characters or as base64 (`openssl rand -hex 32`, `openssl rand -base64 32`).
 * Checked when the configuration loads, so a bad key is reported with the other configuration problems.
 */
export function parseEncryptionKey(raw: string): Buffer {
  const hex = /^[0-9a-fA-F]{64}$/.test(raw);
  const base64 = /^[A-Za-z0-9+/]{42,43}=?=?$|^[A-Za-z0-9_-]{43}$/.test(raw);
  const key = hex ? Buffer.from(raw, 'hex') : base64 ? Buffer.from(raw, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new Error(
      'must be 32 bytes: 64 hex characters (openssl rand -hex 32) or base64 (openssl rand -base64 32)',
    );
  }
  return key;
}

export function isValidEncryptionKey(raw: string): boolean {
  try {
    parseEncryptionKey(raw);
    return true;
  } catch {
    return false;
  }
}
