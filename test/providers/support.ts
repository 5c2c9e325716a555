import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  IntegrationMapping,
  IntegrationSettings,
  NormalisedEvent,
  ProviderAdapter,
  ProviderName,
  RawDelivery,
} from '../../src/webhooks/providers/provider-adapter.js';

/** Shared helpers for the provider adapter tests (pure: fixtures from disk, no DB, no HTTP). */

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export const RECEIVED_AT = Date.parse('2026-11-20T15:00:00Z');
export const SECRET = 'dGhpcy1pcy1hLXRlc3Qtc2VjcmV0';

export function fixture(provider: string, name: string): { raw: Buffer; json: unknown } {
  const raw = readFileSync(join(FIXTURES, provider, name));
  return { raw, json: JSON.parse(raw.toString('utf8')) as unknown };
}

export interface Sequence {
  provider: string;
  ticketId: string;
  files: string[];
  expected: { status: string; priority: string; customerId?: string; events?: number };
  clockFacts: string[];
}

export function sequence(provider: string, name = 'sequence.json'): Sequence {
  return fixture(provider, name).json as Sequence;
}

export function delivery(
  body: Buffer | string,
  headers: Record<string, string | undefined> = {},
  receivedAt = RECEIVED_AT,
): RawDelivery {
  return { body: Buffer.isBuffer(body) ? body : Buffer.from(body), headers, receivedAt };
}

export function integration(
  provider: ProviderName,
  mapping: Partial<IntegrationMapping> = {},
  credentials: IntegrationSettings['credentials'] = { signingSecret: SECRET },
): IntegrationSettings {
  return {
    id: `int-${provider}`,
    provider,
    credentials,
    mapping: { defaultPriority: 'normal', ...mapping },
    replayWindowSeconds: 300,
  };
}

export function hubSignature(algorithm: 'sha1' | 'sha256', secret: string, body: Buffer | string): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
}

/** The same JSON with different spacing: what a proxy or framework that re-serialises the body would forward. */
export function reserialised(raw: Buffer): Buffer {
  return Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))));
}

export function normaliseFile(
  adapter: ProviderAdapter,
  provider: string,
  name: string,
  settings: IntegrationSettings,
  headers: Record<string, string> = {},
): NormalisedEvent[] {
  const { raw, json } = fixture(provider, name);
  return adapter.normalise(json, delivery(raw, headers), settings);
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const at = (s: string): number => Date.parse(s);
