/** `/health` and `/ready`: what a load balancer and an orchestrator poll. Public, never rate limited. */
import type { FastifyInstance } from 'fastify';
import { coreError } from '../../plugin/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { problemSchema } from '../problem.js';

const tags = ['health'];
const status = { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string' } } };

/** Registers the health routes. */
export function healthRoutes(app: FastifyInstance, kernel: Kernel): void {
  app.get('/health', {
    config: { public: true },
    schema: {
      operationId: 'core.health.live',
      summary: 'Liveness',
      description: 'Answers `{"status":"ok"}` while the process serves requests; it touches no database, so a slow database does not get the process restarted.',
      tags,
      response: { 200: status },
    },
  }, async () => ({ status: 'ok' }));

  app.get('/ready', {
    config: { public: true },
    schema: {
      operationId: 'core.health.ready',
      summary: 'Readiness: 200 once migrations ran',
      description: 'Answers 503 (problem `NOT_READY`) until the database is reachable and every migration of core and the installed plugins has run; route traffic here only after a 200.',
      tags,
      response: { 200: status, 503: problemSchema },
    },
  }, async () => {
    if (!(await kernel.isReady())) throw coreError('NOT_READY');
    return { status: 'ready' };
  });
}
