/**
 * The widget bundle for ERP pages: `/widgets/peyvand.js` (always the current build, cached
 * briefly), `/widgets/peyvand.<hash>.js` and its source map (cached for a year: the name
 * changes with the content), `/widgets/manifest.json` (which versioned file is current,
 * with its integrity hash). A module script from another origin is fetched with CORS, so
 * every origin may read these files; they hold no data.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { coreError } from '../../errors.js';
import { problemSchema } from '../problem.js';
import type { WidgetAssets, WidgetBundle } from '../widget-assets.js';

const config = { public: true, asset: true };
const tags = ['widgets'];
const JS = 'text/javascript; charset=utf-8';
/** Long enough to spare a request per page view, short enough for an upgrade to arrive soon. */
export const ALIAS_CACHE = 'public, max-age=300';
/** The content hash is in the name: the file at this URL never changes. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

const fileResponses = { 200: { type: 'string' }, 304: { type: 'null' }, '4xx': problemSchema };

/** Registers the widget routes. */
export function widgetRoutes(app: FastifyInstance, assets: WidgetAssets): void {
  const bundle = (): WidgetBundle => {
    const current = assets.current();
    if (!current) throw coreError('WIDGETS_NOT_BUILT');
    return current;
  };

  app.get('/widgets/peyvand.js', {
    config,
    schema: { summary: 'The widget bundle, current build (ES module)', tags, response: fileResponses },
  }, async (request, reply) => sendScript(request, reply, bundle(), ALIAS_CACHE));

  app.get('/widgets/manifest.json', {
    config,
    schema: {
      summary: 'Which versioned widget file is current, with its integrity hash',
      tags,
      response: {
        200: { type: 'object', additionalProperties: false, properties: { file: { type: 'string' }, sourceMap: { type: 'string' }, integrity: { type: 'string' }, bytes: { type: 'integer' }, gzipBytes: { type: 'integer' } } },
        304: { type: 'null' },
        '4xx': problemSchema,
      },
    },
  }, async (request, reply) => {
    const current = bundle();
    if (notModified(request, reply, current, 'no-cache')) return reply.code(304).send();
    return current.manifest;
  });

  app.get<{ Params: { file: string } }>('/widgets/:file', {
    config,
    schema: {
      summary: 'A versioned widget file (`peyvand.<hash>.js` or its source map)',
      tags,
      params: { type: 'object', additionalProperties: false, required: ['file'], properties: { file: { type: 'string', maxLength: 100 } } },
      response: fileResponses,
    },
  }, async (request, reply) => {
    const current = bundle();
    if (request.params.file === current.manifest.file) return sendScript(request, reply, current, IMMUTABLE_CACHE);
    if (request.params.file === current.manifest.sourceMap) {
      if (notModified(request, reply, current, IMMUTABLE_CACHE)) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(current.map);
    }
    // An older build's hash, or any other name.
    throw coreError('NOT_FOUND');
  });
}

/** Sets the caching and CORS headers; true when the client's copy is current. */
function notModified(request: FastifyRequest, reply: FastifyReply, bundle: WidgetBundle, cacheControl: string): boolean {
  const etag = `"${bundle.hash}"`;
  reply.header('cache-control', cacheControl).header('etag', etag).header('access-control-allow-origin', '*');
  return request.headers['if-none-match'] === etag;
}

function sendScript(request: FastifyRequest, reply: FastifyReply, bundle: WidgetBundle, cacheControl: string): FastifyReply {
  reply.header('vary', 'Accept-Encoding');
  if (notModified(request, reply, bundle, cacheControl)) return reply.code(304).send();
  reply.type(JS);
  if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(bundle.gzip);
  return reply.send(bundle.js);
}
