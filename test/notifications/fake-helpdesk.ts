import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HelpdeskRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  at: number;
}

interface Scripted {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A stand-in for one helpdesk's REST API on 127.0.0.1: records every request (method, path, Authorization, JSON
 * body) and answers 200 with what `answer` returns (by default `{}`), or with the statuses scripted for the next
 * requests whose path starts with a prefix (e.g. 500 once, then the normal answer).
 */
export class FakeHelpdesk {
  readonly requests: HelpdeskRequest[] = [];
  private readonly scripts: Array<{ prefix: string; queue: Scripted[]; always?: Scripted }> = [];
  private server?: Server;
  url = '';

  constructor(private readonly answer: (r: HelpdeskRequest) => unknown = () => ({})) {}

  /** The next requests under `prefix` get these answers, one each, before the normal answer again. */
  script(prefix: string, ...answers: Scripted[]): this {
    this.scripts.push({ prefix, queue: answers });
    return this;
  }

  /** Every request under `prefix` gets this answer. */
  always(prefix: string, answer: Scripted): this {
    this.scripts.push({ prefix, queue: [], always: answer });
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = text;
        }
        const path = req.url ?? '/';
        const request: HelpdeskRequest = {
          method: req.method ?? '',
          path,
          authorization: req.headers.authorization,
          headers: req.headers,
          body,
          at: Date.now(),
        };
        this.requests.push(request);
        const script = this.scripts.find(
          (s) => path.startsWith(s.prefix) && (s.always || s.queue.length > 0),
        );
        const scripted = script?.always ?? script?.queue.shift();
        const status = scripted?.status ?? 200;
        res.writeHead(status, { 'content-type': 'application/json', ...scripted?.headers });
        res.end(JSON.stringify(scripted ? (scripted.body ?? {}) : this.answer(request)));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests whose path contains the ticket id (or starts with a path), as "METHOD path". */
  about(fragment: string): HelpdeskRequest[] {
    return this.requests.filter((r) => r.path.includes(fragment));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
