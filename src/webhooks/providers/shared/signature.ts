import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RawDelivery, VerifyResult } from '../provider-adapter.js';

/** HMAC and constant-time comparison helpers shared by the signed providers. Pure; never logs secrets. */

export type HmacAlgorithm = 'sha1' | 'sha256';

const HEX_LENGTH: Record<HmacAlgorithm, number> = { sha1: 40, sha256: 64 };

export function hmac(
  algorithm: HmacAlgorithm,
  secret: string,
  parts: ReadonlyArray<string | Buffer>,
  encoding: 'hex' | 'base64',
): string {
  const mac = createHmac(algorithm, secret);
  for (const part of parts) mac.update(part);
  return mac.digest(encoding);
}

/** Constant-time equality of two strings (length differences are not leaked through early exit). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

/** A header value by (lower-case) name, trimmed; undefined when absent or empty. */
export function header(delivery: RawDelivery, name: string): string | undefined {
  const value = delivery.headers[name.toLowerCase()];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function fail(error: string, message: string): VerifyResult {
  return { ok: false, error, message };
}

export function missingSecret(provider: string): VerifyResult {
  return fail(
    'no_signing_secret',
    `The ${provider} integration has no signing secret; set credentials.signingSecret to the secret configured in ${provider}.`,
  );
}

/**
 * Verifies a WebSub/GitHub-style `X-Hub-Signature: <algorithm>=<hex HMAC of the raw body>` header, as sent by
 * Jira (sha256), Zammad (sha1) and Intercom (sha1).
 */
export function verifyHubSignature(
  delivery: RawDelivery,
  secret: string | undefined,
  algorithm: HmacAlgorithm,
  provider: string,
  headerName = 'x-hub-signature',
): VerifyResult {
  if (!secret) return missingSecret(provider);
  const value = header(delivery, headerName);
  if (value === undefined) {
    return fail(
      'missing_signature',
      `Missing ${headerName} header; configure a secret on the ${provider} webhook.`,
    );
  }
  const eq = value.indexOf('=');
  const scheme = eq > 0 ? value.slice(0, eq).toLowerCase() : '';
  const digest = eq > 0 ? value.slice(eq + 1).toLowerCase() : '';
  if (scheme !== algorithm || !new RegExp(`^[0-9a-f]{${HEX_LENGTH[algorithm]}}$`).test(digest)) {
    return fail(
      'malformed_signature',
      `The ${headerName} header must look like "${algorithm}=<hex digest>".`,
    );
  }
  const expected = hmac(algorithm, secret, [delivery.body], 'hex');
  if (!safeEqual(digest, expected)) {
    return fail(
      'invalid_signature',
      `The ${headerName} signature does not match the body; check that the integration's secret equals the one configured in ${provider}.`,
    );
  }
  return { ok: true };
}

/** Short deterministic id from bytes, for providers that send no event or delivery id. */
export function contentId(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 32);
}
