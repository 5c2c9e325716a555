import { describe, expect, it } from 'vitest';
import { storableHeaders } from '../../src/webhooks/storable-headers.js';

describe('storable headers', () => {
  it('drops the integration secret header whatever case it was configured in', () => {
    const kept = storableHeaders(
      { 'x-sla-key': 'hunter2', 'x-request-id': 'r-1', 'content-type': 'application/json' },
      'X-SLA-Key',
    );
    expect(kept).toEqual({ 'x-request-id': 'r-1', 'content-type': 'application/json' });
  });

  it('never keeps credentials, cookies or proxy headers', () => {
    const kept = storableHeaders({
      authorization: 'Basic eA==',
      cookie: 'a=b',
      'x-hub-signature': 'sha1=00',
      'x-forwarded-for': '10.0.0.1',
      'x-zammad-delivery': 'd-1',
    });
    expect(kept).toEqual({ 'x-zammad-delivery': 'd-1' });
  });
});
