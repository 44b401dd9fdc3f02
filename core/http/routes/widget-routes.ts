/**
 * The widget bundle for ERP pages: `/widgets/peyvand.js` (the current build's entry, cached
 * briefly), the versioned files — `peyvand.<hash>.js`, the chunks it loads
 * (`shared.<hash>.js`, `plugin.<name>.<hash>.js`) and their source maps — cached for a
 * year (the name changes with the content), and `/widgets/manifest.json` (which files are
 * current, with their integrity hashes). The entry imports its chunks by relative URL, so
 * they come from the same `/widgets/` folder with the same headers. A module script from
 * another origin is fetched with CORS, so every origin may read these files; they hold no
 * data.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PeyvandTypeProvider } from '../../plugin/route-types.js';
import { coreError } from '../../plugin/errors.js';
import { problemSchema } from '../problem.js';
import { ifNoneMatchHeaders, mediaResponse } from '../../plugin/schemas.js';
import type { ServedWidgetFile, WidgetAssets, WidgetBundle } from '../widget-assets.js';

const config = { public: true, asset: true } as const;
const tags = ['widgets'];
const JS = 'text/javascript; charset=utf-8';
/** Long enough to spare a request per page view, short enough for an upgrade to arrive soon. */
export const ALIAS_CACHE = 'public, max-age=300';
/** The content hash is in the name: the file at this URL never changes. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

const fileProperties = { file: { type: 'string' }, sourceMap: { type: 'string' }, integrity: { type: 'string' }, bytes: { type: 'integer' }, gzipBytes: { type: 'integer' } } as const;
const notModified304 = { 304: { type: 'null', description: 'The copy named by If-None-Match is current' } } as const;
const scriptResponses = { 200: mediaResponse('text/javascript', 'The ES module (gzip-encoded when the client accepts it)'), ...notModified304, '4xx': problemSchema } as const;
const fileResponses = {
  200: { description: 'The versioned module or chunk, or its source map', content: { 'text/javascript': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object', description: 'Source map v3' } } } },
  ...notModified304,
  '4xx': problemSchema,
} as const;

/** Registers the widget routes. */
export function widgetRoutes(scope: FastifyInstance, assets: WidgetAssets): void {
  // Request types come from the route schemas, as in plugins.
  const app = scope.withTypeProvider<PeyvandTypeProvider>();
  const bundle = (): WidgetBundle => {
    const current = assets.current();
    if (!current) throw coreError('WIDGETS_NOT_BUILT');
    return current;
  };

  app.get('/widgets/peyvand.js', {
    config,
    schema: {
      operationId: 'core.widget.bundle',
      summary: 'The widget bundle, current build (ES module)',
      description: 'The one module script an ERP page includes (`type="module"`, `src` ending in `/widgets/peyvand.js`). Cached for five minutes, so an upgrade arrives soon; the ETag is the build hash.',
      tags,
      headers: ifNoneMatchHeaders,
      response: scriptResponses,
    },
  }, async (request, reply) => sendScript(request, reply, bundle().entry, ALIAS_CACHE));

  app.get('/widgets/manifest.json', {
    config,
    schema: {
      operationId: 'core.widget.manifest',
      summary: 'Which versioned widget files are current, with their integrity hashes',
      description: 'For a page that pins the build: the entry\'s content-hashed file name and its Subresource Integrity hash for the `integrity` attribute of the script element, and the same for every chunk the entry loads (`shared`, imported at once; `plugin`, loaded the first time one of its `tags` is on the page).',
      tags,
      headers: ifNoneMatchHeaders,
      response: {
        200: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...fileProperties,
            chunks: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                properties: { ...fileProperties, kind: { type: 'string', enum: ['shared', 'plugin'] }, plugin: { type: ['string', 'null'] }, tags: { type: 'array', items: { type: 'string' } } },
              },
            },
          },
        },
        304: { type: 'null' },
        '4xx': problemSchema,
      },
    },
  }, async (request, reply) => {
    const current = bundle();
    if (notModified(request, reply, current.entry, 'no-cache')) return reply.code(304).send();
    return current.manifest;
  });

  app.get('/widgets/:file', {
    config,
    schema: {
      operationId: 'core.widget.file',
      summary: 'A versioned widget file (`peyvand.<hash>.js`, a chunk, or a source map)',
      description: 'The entry, `shared.<hash>.js`, `plugin.<name>.<hash>.js`, or one of their source maps. Content-hashed, so cached for a year. Only the current build is served; an older hash answers 404.',
      tags,
      headers: ifNoneMatchHeaders,
      params: { type: 'object', additionalProperties: false, required: ['file'], properties: { file: { type: 'string', maxLength: 100 } } },
      response: fileResponses,
    },
  }, async (request, reply) => {
    const file = bundle().files.get(request.params.file);
    // An older build's hash, or any other name.
    if (!file) throw coreError('NOT_FOUND');
    if (file.type === 'script') return sendScript(request, reply, file, IMMUTABLE_CACHE);
    if (notModified(request, reply, file, IMMUTABLE_CACHE)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(file.body);
  });
}

/** Sets the caching and CORS headers; true when the client's copy is current. */
function notModified(request: FastifyRequest, reply: FastifyReply, file: ServedWidgetFile, cacheControl: string): boolean {
  const etag = `"${file.hash}"`;
  reply.header('cache-control', cacheControl).header('etag', etag).header('access-control-allow-origin', '*');
  return request.headers['if-none-match'] === etag;
}

function sendScript(request: FastifyRequest, reply: FastifyReply, file: ServedWidgetFile, cacheControl: string): FastifyReply {
  reply.header('vary', 'Accept-Encoding');
  if (notModified(request, reply, file, cacheControl)) return reply.code(304).send();
  reply.type(JS);
  if (file.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}
