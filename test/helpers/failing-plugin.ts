/** A plugin whose one route fails with a 500, and a log sink: how a bug looks, in tests. */
import { Writable } from 'node:stream';
import { definePlugin } from '../../core/index.js';

/** `boom`: `GET /api/v1/boom/explode` (permission `boom.thing.read`, owner and admin) throws `message`. */
export function failingPlugin(message: string) {
  return definePlugin({
    name: 'boom',
    version: '1.0.0',
    core: '^0.1.0',
    permissions: [{ name: 'boom.thing.read', description: 'boom:permissions.read', roles: ['owner', 'admin'] }],
    routes(app) {
      app.get('/explode', { config: { permission: 'boom.thing.read' }, schema: { operationId: 'boom.thing.explode', summary: 'Fails', response: { 200: { type: 'object' } } } }, async () => {
        throw new Error(message);
      });
    },
  });
}

/** A stream a logger can write to, and the lines it received. */
export function logSink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  return { lines, stream: new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) }) };
}
