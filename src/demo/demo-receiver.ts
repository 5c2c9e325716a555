import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Stands in for your webhook endpoint and your Slack workspace: prints what the service sends them. */
export class DemoReceiver {
  private server?: Server;
  url = '';
  received = 0;

  constructor(private readonly log: (line: string) => void) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received++;
        this.log(describe(req.url ?? '/', Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function describe(path: string, body: string): string {
  try {
    const json = JSON.parse(body) as { type?: string; text?: string; ticket?: { externalId?: string } };
    if (path.startsWith('/slack')) return `notification arrived in Slack: ${json.text ?? '(blocks)'}`;
    return `notification arrived at the ops webhook: ${json.type} for ticket ${json.ticket?.externalId}`;
  } catch {
    return `notification arrived at ${path}`;
  }
}
