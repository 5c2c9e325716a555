// eslint-disable-next-line no-control-regex -- U+0000 is exactly what PostgreSQL text refuses
const NUL = /\u0000/g;
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A provider's payload made storable as PostgreSQL text and jsonb, which refuse U+0000 and unpaired surrogates:
 * NULs are dropped and unpaired surrogates become U+FFFD, in every string and key. The delivery is the provider's
 * and has been accepted already; refusing it now would lose an event over a character no helpdesk field needs.
 */
export function cleanProviderText<T>(value: T): T {
  if (typeof value === 'string') return cleanString(value) as T;
  if (Array.isArray(value)) return value.map(cleanProviderText) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[cleanString(key)] = cleanProviderText(inner);
    return out as T;
  }
  return value;
}

function cleanString(text: string): string {
  return text.replace(NUL, '').replace(UNPAIRED_SURROGATE, '\uFFFD');
}

/** Whether a string would be changed by cleaning (it cannot be stored as it is). */
export function needsCleaning(text: string): boolean {
  return text.includes('\u0000') || new RegExp(UNPAIRED_SURROGATE.source).test(text);
}
