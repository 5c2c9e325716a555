import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('describes the webhook route with the canonical event as its body', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const webhook = res.body.paths['/webhooks/{integrationId}'].post;
    expect(Object.keys(webhook.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '404', '413', '415']),
    );
    const body = webhook.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['eventId', 'type', 'occurredAt', 'ticket']));
    expect(body.properties.type.enum).toEqual(expect.arrayContaining(['ticket.created', 'comment.created']));
  });

  it('lists the configuration routes with the zod schemas as request bodies', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const paths = res.body.paths;
    for (const path of [
      '/tiers',
      '/tiers/{id}',
      '/calendars',
      '/calendars/{id}',
      '/calendars/{id}/holidays/import',
    ]) {
      expect(paths, path).toHaveProperty([path]);
    }
    for (const path of [
      '/policies',
      '/policies/{id}',
      '/policies/{id}/versions/{version}',
      '/customers',
      '/customers/{id}',
    ]) {
      expect(paths, path).toHaveProperty([path]);
    }
    const policyBody = paths['/policies'].post.requestBody.content['application/json'].schema;
    expect(policyBody.required).toEqual(expect.arrayContaining(['name', 'position', 'targets']));
    expect(Object.keys(policyBody.properties.targets.properties)).toEqual([
      'urgent',
      'high',
      'normal',
      'low',
    ]);
    expect(paths['/tiers/{id}'].put.responses).toHaveProperty(['201']);
    expect(paths['/customers'].post.responses['422'].content['application/json'].schema.required).toEqual([
      'error',
      'message',
    ]);
  });

  it('gives every operation a summary, every body-taking operation its body, and deletes their 409', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const withoutBody = new Set([
      'POST /webhooks/deliveries/{id}/retry',
      'POST /apikeys/{id}/revoke',
      'POST /notifications/{id}/retry',
    ]);
    const deletes: string[] = [];
    for (const [path, item] of Object.entries<
      Record<string, { summary?: string; requestBody?: unknown; responses: object }>
    >(res.body.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(operation.summary, name).toMatch(/\w{3}/);
        if ((method === 'post' || method === 'put') && !withoutBody.has(name)) {
          expect(operation.requestBody, name).toBeDefined();
        }
        if (method === 'delete') deletes.push(path);
      }
    }
    expect(deletes.sort()).toEqual([
      '/calendars/{id}',
      '/channels/{id}',
      '/customers/{id}',
      '/directory/{integrationId}/{kind}/{externalId}',
      '/integrations/{id}',
      '/ladders/{id}',
      '/policies/{id}',
      '/tiers/{id}',
    ]);
    const integration = res.body.paths['/integrations'].post;
    expect(integration.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['name', 'provider']),
    );
    expect(res.body.paths['/integrations/{id}'].delete.responses).toHaveProperty(['409']);
  });

  it('serves the UI at /docs', async () => {
    const res = await t.http().get('/docs').redirects(1);
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger');
  });
});
