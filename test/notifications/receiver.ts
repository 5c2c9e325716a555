import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status we answered (undefined: held, never answered). */
  answered?: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 that records every request and answers with whatever status the test sets for
 * the path (200 by default), standing in for webhook endpoints, Slack and helpdesk APIs.
 */
export class Receiver {
  readonly requests: Received[] = [];
  readonly statusFor = new Map<string, number>();
  /** While set, requests are recorded and left without an answer (a receiver mid-request when a sender dies). */
  holding = false;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const received: Received = {
          method: req.method ?? '',
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(received);
        if (this.holding) return;
        received.answered = this.statusFor.get(path) ?? 200;
        res.writeHead(received.answered, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  on(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
