import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/access.guard.js';
import { ApiKeysService, presentedKey } from '../auth/api-keys.service.js';
import { toErrorResponse } from '../common/http-exception.filter.js';
import { BOARD_QUEUES } from './board-queues.js';

export const QUEUE_BOARD_PATH = '/queues';

/**
 * bull-board's UI and API as a plain Fastify plugin under /queues, behind an admin key. A browser cannot add a
 * Bearer header to a page load, so the board also takes the key as the password of HTTP basic auth (any user
 * name): the browser asks for it once, then sends it with the board's own API calls.
 */
@Injectable()
export class QueueBoard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The key service of the auth module (registered once, at the root, for every role). */
  private get keys(): ApiKeysService {
    return this.moduleRef.get(ApiKeysService, { strict: false });
  }

  onModuleInit(): void {
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      queues: BOARD_QUEUES.map(
        (name) => new BullMQAdapter(this.moduleRef.get<Queue>(getQueueToken(name), { strict: false })),
      ),
      serverAdapter,
      options: { uiConfig: { boardTitle: 'SLA Tracker queues' } },
    });
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register(
      async (scope) => {
        scope.addHook('onRequest', (request, reply) => this.admit(request, reply));
        await scope.register(serverAdapter.registerPlugin());
      },
      { prefix: QUEUE_BOARD_PATH },
    );
  }

  private async admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      await authorize(
        this.keys,
        request,
        'admin',
        basicAuthPassword(request) ?? presentedKey(request.headers),
      );
    } catch (error) {
      const { status, body } = toErrorResponse(error);
      if (status === 401)
        void reply.header('www-authenticate', 'Basic realm="SLA Tracker queues", charset="UTF-8"');
      return reply
        .code(status)
        .header('content-type', 'application/json; charset=utf-8')
        .send({ ...body, requestId: request.id });
    }
  }
}

/** The password of `Authorization: Basic …`, where the board's users put their API key. */
function basicAuthPassword(request: FastifyRequest): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}
