/** HTTP routes of imports and exports (`/api/v1/imports…`, `/api/v1/exports/…`). */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { coreError } from '../plugin/errors.js';
import { idParams, mediaResponse } from '../plugin/schemas.js';
import { problemSchema, requestLanguage } from '../http/problem.js';
import { actorOf } from '../http/request-guards.js';
import type { PeyvandTypeProvider } from '../plugin/route-types.js';
import type { ExportService } from './export-service.js';
import type { ImportService } from './import-service.js';
import { MAX_IMPORT_BYTES } from './import-service.js';
import { importSchema } from './import-schemas.js';
import type { ImportFormat } from './sources.js';

/** The xlsx media type. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CSV_TYPES = ['text/csv', 'text/tab-separated-values', 'application/csv'];

const accepted = { type: 'object', additionalProperties: false, required: ['id', 'status'], properties: { id: { type: 'string' }, status: { type: 'string' } } };
/** The refused rows of an import, as CSV. */
const errorsCsv = mediaResponse('text/csv', 'The refused rows as CSV (UTF-8 with a BOM): the file\'s header and cells plus an `error` column, sent as an attachment');
/** An export: CSV or .xlsx, after the file name's extension. */
const exportDescription = 'The export as an attachment: CSV (UTF-8 with a BOM) for `.csv`, a workbook for `.xlsx`';
const exportFile = { description: exportDescription, content: { ...mediaResponse('text/csv', exportDescription).content, ...mediaResponse(XLSX_TYPE, exportDescription).content } };

/** The `mapping` query parameter: a JSON object of header → field path. */
function parseMapping(raw: string | undefined): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string' && v.length <= 200)) {
    throw coreError('VALIDATION_FAILED', {}, { errors: [{ path: '/mapping', message: 'must be a JSON object of header → field path', key: 'core:validation.importMapping' }] });
  }
  return value as Record<string, string>;
}

/** The format: the query's, else the body's media type. */
function formatOf(request: FastifyRequest, declared: ImportFormat | undefined): ImportFormat {
  const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const fromType: ImportFormat | undefined = type === XLSX_TYPE ? 'xlsx' : CSV_TYPES.includes(type) ? 'csv' : undefined;
  if (!fromType) throw coreError('UNSUPPORTED_MEDIA_TYPE', { type });
  return declared ?? fromType;
}

/** Registers the import and export routes. */
export async function importRoutes(scope: FastifyInstance, services: { imports: ImportService; exports: ExportService }): Promise<void> {
  // Request types come from the route schemas, as in plugins; the upload's sub-scope gets the provider again.
  const app = scope.withTypeProvider<PeyvandTypeProvider>();
  const { imports, exports } = services;
  await app.register(async (plain) => {
    const files = plain.withTypeProvider<PeyvandTypeProvider>();
    // The upload reaches the handler as a stream: written to disk as it arrives, never held in memory.
    files.addContentTypeParser([...CSV_TYPES, XLSX_TYPE], { bodyLimit: MAX_IMPORT_BYTES }, (_request, payload, done) => done(null, payload));
    files.post('/imports', {
      config: { permission: 'core.import.run', bodyless: true },
      schema: {
        summary: 'Import a CSV/TSV or .xlsx file (the body, up to 512 MiB) as customers, leads, deals or orders',
        description: 'The file is the request body (`text/csv`, `text/tab-separated-values`, `application/csv` or the xlsx media type; another type is a 415, over 512 MiB a 413) and is imported in the background: 202 with the job id and a `Location` to poll. '
          + 'Headers equal to field names map by default, `mapping` (a JSON object, URL-encoded) maps others; an entity unknown or not enabled for the tenant is a 422, and the caller needs that entity\'s write permission.',
        operationId: 'core.import.start',
        tags: ['imports'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['entity'],
          properties: { entity: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,63}$' }, dryRun: { type: 'boolean', default: false }, format: { type: 'string', enum: ['csv', 'xlsx'] }, mapping: { type: 'string', maxLength: 10_000 } },
        },
        response: { 202: accepted, '4xx': problemSchema },
      },
    }, async (request, reply) => {
      const { entity, dryRun, format, mapping } = request.query;
      const body = request.body as unknown;
      if (!(body instanceof Readable)) throw coreError('UNSUPPORTED_MEDIA_TYPE', { type: String(request.headers['content-type'] ?? '') });
      const charset = /charset=([^;]+)/i.exec(String(request.headers['content-type']))?.[1]?.trim().replace(/"/g, '');
      const job = await imports.start(actorOf(request), { entity, dryRun, format: formatOf(request, format), ...(mapping !== undefined && { mapping: parseMapping(mapping)! }), ...(charset && { charset }) }, body);
      return reply.code(202).header('location', `${request.url.split('?')[0]}/${job.id}`).send({ id: job.id, status: job.status });
    });
  });

  app.get('/imports/:id', {
    config: { permission: 'core.import.read' },
    schema: { summary: 'An import and its progress', description: 'The status (`queued`, `running`, `succeeded`, `failed`, `undone`) and the row counts so far; any import of the tenant is readable, an unknown one answers 404.', operationId: 'core.import.get', tags: ['imports'], params: idParams, response: { 200: importSchema, '4xx': problemSchema } },
  }, async (request) => imports.get(actorOf(request), request.params.id));

  app.get('/imports/:id/errors', {
    config: { permission: 'core.import.read' },
    schema: { summary: 'The rows an import refused, as CSV: the original cells and a localized error column', description: 'Streams the refused rows with their original cells and an `error` column in the language of this request\'s `Accept-Language` (fa or en); an unknown import answers 404.', operationId: 'core.import.errors', tags: ['imports'], params: idParams, response: { 200: errorsCsv, '4xx': problemSchema } },
  }, async (request, reply) => {
    const actor = actorOf(request);
    await imports.get(actor, request.params.id);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="import-${request.params.id}-errors.csv"`).send(Readable.from(imports.errorsCsv(actor, request.params.id, requestLanguage(request))));
  });

  app.post('/imports/:id/undo', {
    config: { permission: 'core.import.undo', bodyless: true },
    schema: { summary: 'Undo an import: remove what it created, restore what it updated', description: 'Queues the undo (done in the background, in batches) and answers 202 with the import; asking again is the same request. A dry run or an import still queued or running answers 409 IMPORT_NOT_UNDOABLE.', operationId: 'core.import.undo', tags: ['imports'], params: idParams, response: { 202: importSchema, '4xx': problemSchema } },
  }, async (request, reply) => reply.code(202).send(await imports.requestUndo(actorOf(request), request.params.id)));

  app.get('/exports/:file', {
    config: { permission: 'core.export.read' },
    schema: {
      summary: 'Export an entity as CSV (with a BOM) or .xlsx: /exports/customers.csv',
      description: 'Streams every record of the entity the caller may read (`customers.csv`, `orders.xlsx`, a plugin\'s entity when enabled), with dates in the tenant\'s time zone and the chosen calendar. An entity without an export, or whose plugin is off, answers 404; the caller needs the entity\'s read permission (403).',
      operationId: 'core.export.get',
      tags: ['imports'],
      params: { type: 'object', additionalProperties: false, required: ['file'], properties: { file: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,63}\\.(csv|xlsx)$' } } },
      querystring: { type: 'object', additionalProperties: false, properties: { calendar: { type: 'string', enum: ['gregorian', 'persian'], default: 'gregorian' } } },
      response: { 200: exportFile, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const [entity, format] = request.params.file.split('.') as [string, 'csv' | 'xlsx'];
    const stream = await exports.open(actorOf(request), entity, format, request.query.calendar);
    return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE).header('content-disposition', `attachment; filename="${request.params.file}"`).send(stream);
  });
}
