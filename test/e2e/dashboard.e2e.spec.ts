import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  canonicalEvent,
  createGenericIntegration,
  postSigned,
  waitFor,
} from '../webhooks/webhook-test-kit.js';

const DESK = 'dash-desk';
/** Screenshots are test artifacts, not committed (gitignored). */
const ARTIFACTS = 'test-results/dashboard';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The dashboard in headless Chromium against the application listening on 127.0.0.1, with real PostgreSQL and
 * Redis: tickets arrive as signed webhooks, the page reads them with the key a person would type in.
 */
describe('dashboard in a browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  const keys = { agent: '', manager: '' };

  const deliver = (ticketId: string, priority: string, ageMs: number, extra: object = {}) => {
    const at = new Date(Date.now() - ageMs).toISOString();
    return postSigned(t, DESK, {
      ...canonicalEvent({ eventId: `${ticketId}-created`, ticketId, occurredAt: at, priority }),
      ...extra,
    }).expect(202);
  };
  const ticketApi = (id: string) =>
    t
      .http()
      .get(`/tickets/${DESK}/${id}`)
      .then((r) => (r.status === 200 ? r.body : null));

  /** A fresh browser session (its own sessionStorage), signed in with `key`. */
  const signIn = async (key: string, hash = ''): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(`${base}/${hash}`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#who').filter({ hasText: /\(/ }).waitFor();
    return page;
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    keys.agent = await t.keyFor('agent');
    keys.manager = await t.keyFor('manager');
    await createGenericIntegration(t, DESK);
    await t.http().post('/tiers').send({ id: 'enterprise', name: 'Enterprise', isDefault: true }).expect(201);
    await t.http().post('/tiers').send({ id: 'standard', name: 'Standard' }).expect(201);
    await t
      .http()
      .post('/policies')
      .send({
        id: 'around-the-clock',
        name: 'Around the clock',
        position: 0,
        targets: {
          urgent: { first_response: { minutes: 1 } },
          high: { first_response: { minutes: 30 }, resolution: { minutes: 240 } },
        },
      })
      .expect(201);
    await deliver('100', 'high', 5 * 60_000);
    await waitFor(() => ticketApi('100'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('refuses a wrong key with a clear message', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill(`sla_${'x'.repeat(43)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.locator('#sign-in-error').textContent())
      .toMatch(/This key was not accepted: .*key/i);
    expect(await page.locator('#view-queue').isHidden()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/wrong-key.png` });
    await page.close();
  });

  it('an agent sees the queue with a ticking countdown, rows arriving live, and a ticket with its clocks and log', async () => {
    const page = await signIn(keys.agent);
    expect(await page.locator('#who').textContent()).toContain('(agent)');
    // Agents get the queue only.
    expect(await page.locator('#nav a[data-view="manager"]').isHidden()).toBe(true);
    const row = page.locator(`tr[data-ticket="${DESK}/100"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-risk')).toBe('ok');
    expect(await row.locator('td').nth(3).textContent()).toBe('high');
    expect(await row.textContent()).toContain('First response');

    // The countdown to the first response (30 minutes from 5 minutes ago) ticks down every second.
    const seconds = async () => {
      const text = (await row.locator('.countdown').textContent()) ?? '';
      const m = /in (\d+):(\d+):(\d+)/.exec(text);
      return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : NaN;
    };
    await expect.poll(seconds).toBeGreaterThan(0);
    const first = await seconds();
    expect(first).toBeLessThanOrEqual(25 * 60);
    await expect.poll(seconds, { timeout: 4000 }).toBeLessThan(first);

    // A webhook delivered now shows up without a reload: a new ticket already past its 1-minute target, in red.
    await deliver('200', 'urgent', 2 * 60_000);
    const breached = page.locator(`tr[data-ticket="${DESK}/200"]`);
    await breached.waitFor({ timeout: 10_000 });
    await expect.poll(() => breached.getAttribute('data-risk')).toBe('breach');
    expect(await breached.locator('.risk').textContent()).toContain('Breached');
    expect(await page.locator('#live-state').textContent()).toContain('Live');
    await page.screenshot({ path: `${ARTIFACTS}/agent-queue.png`, fullPage: true });

    // The ticket: its clocks, the explanation of the deadline, and the SLA event log.
    await row.getByRole('button', { name: '#100' }).click();
    const dialog = page.locator('#ticket-dialog');
    await dialog.locator('section.clock[data-metric="first_response"]').waitFor();
    expect(await dialog.locator('section.clock').count()).toBeGreaterThanOrEqual(2);
    expect(
      await dialog.locator('section.clock[data-metric="first_response"] .sla-log').textContent(),
    ).toContain('started');
    await dialog.locator('section.clock[data-metric="first_response"] summary').click();
    expect(await dialog.locator('.explanation').first().textContent()).toContain('Counted');
    await page.screenshot({ path: `${ARTIFACTS}/ticket.png` });
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(false);

    // A phone: the queue becomes cards, nothing scrolls sideways.
    await page.setViewportSize({ width: 375, height: 740 });
    await expect
      .poll(() =>
        page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
      )
      .toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ARTIFACTS}/agent-phone.png`, fullPage: true });
    await page.close();
  });

  it('a manager acknowledges a breach from the page, and it reaches the API', async () => {
    const breach = await waitFor(async () => {
      const res = await t.http().get('/breaches?acknowledged=false').expect(200);
      return (res.body.items as Array<{ id: string; ticket: { externalId: string } }>).find(
        (b) => b.ticket.externalId === '200',
      );
    });
    const page = await signIn(keys.manager, '#manager');
    const row = page.locator(`#breaches-table tr[data-breach="${breach.id}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: /Acknowledge/ }).click();
    await expect.poll(() => row.textContent()).toContain('Acknowledged by test-manager');
    const after = await t.http().get(`/breaches/${breach.id}`).expect(200);
    expect(after.body).toMatchObject({ acknowledgedBy: 'test-manager', acknowledgedAt: expect.any(String) });
    // The compliance table and chart for the default period (the last 30 days) are there.
    await page.locator('#trend-chart svg, #trend-chart p').first().waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/manager.png`, fullPage: true });
    await page.close();
  });

  it('an admin sees the policy grid by tier and priority', async () => {
    const page = await signIn(t.adminKey, '#admin');
    const cell = page.locator('#policy-grid tr[data-tier="enterprise"] td[data-priority="high"]');
    await cell.waitFor();
    expect(await cell.textContent()).toMatch(
      /Around the clock.*First response: 30 min.*Resolution: 4 h 00 min/,
    );
    expect(
      await page.locator('#policy-grid tr[data-tier="standard"] td[data-priority="low"]').textContent(),
    ).toContain('no targets');
    const integration = page.locator(`#integrations-table tr[data-integration="${DESK}"]`);
    expect(await integration.textContent()).toContain(`${base}/webhooks/${DESK}`);
    expect(await integration.textContent()).toMatch(/processed|received|queued|done/i);
    await page.screenshot({ path: `${ARTIFACTS}/admin.png`, fullPage: true });
    await page.close();
  });
});
