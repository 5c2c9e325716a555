import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifyResult } from './provider-adapter.js';

export const GENERIC_SIGNATURE_HEADER = 'x-signature-256';
export const GENERIC_TIMESTAMP_HEADER = 'x-timestamp';

/** The documented algorithm: hex HMAC-SHA256 over the bytes `<timestamp>.<raw body>`. */
export function genericSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(timestamp).update('.').update(body).digest('hex');
}

/** The headers a sender adds: `{ 'x-timestamp': …, 'x-signature-256': 'sha256=<hex>' }`. */
export function signGeneric(
  secret: string,
  body: Buffer | string,
  nowSeconds = Math.floor(Date.now() / 1000),
) {
  const timestamp = String(nowSeconds);
  return {
    [GENERIC_TIMESTAMP_HEADER]: timestamp,
    [GENERIC_SIGNATURE_HEADER]: `sha256=${genericSignature(secret, timestamp, body)}`,
  };
}

const fail = (error: string, message: string): VerifyResult => ({ ok: false, error, message });

/** Checks header presence, the replay window (both directions) and the signature, in constant time. */
export function verifyGenericSignature(
  headers: Readonly<Record<string, string | undefined>>,
  body: Buffer,
  secret: string | undefined,
  replayWindowSeconds: number,
  nowMs: number,
): VerifyResult {
  if (!secret) {
    return fail(
      'no_signing_secret',
      'This integration has no signing secret; set one with PUT /integrations/:id.',
    );
  }
  const signature = headers[GENERIC_SIGNATURE_HEADER];
  if (!signature) return fail('missing_signature', 'Send the X-Signature-256: sha256=<hex> header.');
  const timestamp = headers[GENERIC_TIMESTAMP_HEADER];
  if (!timestamp)
    return fail('missing_timestamp', 'Send the X-Timestamp header (Unix seconds) that you signed.');
  if (!/^\d{1,12}$/.test(timestamp)) {
    return fail('invalid_timestamp', 'X-Timestamp must be the Unix time in whole seconds.');
  }
  const skew = nowMs / 1000 - Number(timestamp);
  if (skew > replayWindowSeconds) {
    return fail(
      'stale_timestamp',
      `X-Timestamp is older than the ${replayWindowSeconds} s replay window; sign again.`,
    );
  }
  if (skew < -replayWindowSeconds) {
    return fail(
      'future_timestamp',
      `X-Timestamp is more than ${replayWindowSeconds} s in the future; check the clock.`,
    );
  }
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(signature);
  if (!match)
    return fail('invalid_signature', 'X-Signature-256 must be "sha256=" followed by 64 hex digits.');
  const expected = Buffer.from(genericSignature(secret, timestamp, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(match[1]!, 'hex'))) {
    return fail(
      'invalid_signature',
      'The signature does not match: sign "<X-Timestamp>.<raw body>" with HMAC-SHA256 and the integration secret.',
    );
  }
  return { ok: true };
}
