/** Tenant-level routes of core: `/me`, roles, settings, events replay and dead letters, audit. */
import { problemSchema } from '../problem.js';
import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../kernel/kernel.js';
import { actorOf } from '../request-guards.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { replayEvents } from '../../events/replay.js';
import { readInt } from '../../db/database.js';
import type { RecordScope, JsonSchema } from '../../kernel/plugin.js';
import { pageOf, pageQuery } from '../../customers/customer-schemas.js';

const scopeEnum = { type: 'string', enum: ['own', 'team', 'all'] };
const roleSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { name: { type: 'string' }, builtIn: { type: 'boolean' }, customized: { type: 'boolean' }, permissions: { type: 'array', items: { type: 'string' } }, scopes: { type: 'object', additionalProperties: scopeEnum } },
};

/** Registers core's tenant routes. */
export function tenantRoutes(app: FastifyInstance, kernel: Kernel): void {
  const { tenants, roles, audit, db } = kernel;

  app.get('/me', {
    config: { permission: 'core.me.read' },
    schema: {
      summary: 'Who the credential is: tenant, subject, roles, permissions, locale, plugins',
      tags: ['me'],
      response: {
        200: {
          type: 'object',
          additionalProperties: false,
          properties: {
            tenant: { type: 'object', additionalProperties: false, properties: { id: { type: 'string' }, slug: { type: 'string' }, name: { type: 'string' } } },
            subject: { type: 'string' },
            name: { type: 'string' },
            roles: { type: 'array', items: { type: 'string' } },
            teams: { type: 'array', items: { type: 'string' } },
            permissions: { type: 'array', items: { type: 'string' } },
            scopes: { type: 'object', additionalProperties: scopeEnum },
            locale: { type: 'string' },
            timeZone: { type: 'string' },
            plugins: { type: 'array', items: { type: 'string' } },
          },
        },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const tenant = (await tenants.findById(actor.tenantId))!;
    return {
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
      subject: actor.subject,
      ...(actor.displayName && { name: actor.displayName }),
      roles: actor.roles,
      teams: actor.teams,
      permissions: [...actor.permissions].sort(),
      scopes: actor.scopes,
      locale: tenant.locale,
      timeZone: tenant.timeZone,
      plugins: tenant.plugins,
    };
  });

  app.get('/roles', {
    config: { permission: 'core.role.read' },
    schema: { summary: 'List the tenant roles', tags: ['roles'], response: { 200: { type: 'object', additionalProperties: false, properties: { items: { type: 'array', items: roleSchema }, nextCursor: { type: 'null' } } }, '4xx': problemSchema } },
  }, async (request) => {
    const actor = actorOf(request);
    return { items: await roles.list(actor.tenantId, await tenants.enabledPlugins(actor.tenantId)), nextCursor: null };
  });

  app.put<{ Params: { name: string }; Body: { permissions: string[]; scopes?: Record<string, RecordScope> } }>('/roles/:name', {
    config: { permission: 'core.role.manage' },
    schema: {
      summary: 'Create or replace a role (owner is locked)',
      tags: ['roles'],
      params: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,63}$' } } },
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['permissions'],
        properties: { permissions: { type: 'array', maxItems: 500, items: { type: 'string', maxLength: 100 } }, scopes: { type: 'object', maxProperties: 50, additionalProperties: scopeEnum } },
      },
      response: { 200: roleSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const enabled = await tenants.enabledPlugins(actor.tenantId);
    return roles.put(actor, request.params.name, request.body, enabled);
  });

  app.put<{ Body: { schema: JsonSchema } }>('/settings/custom-fields', {
    config: { permission: 'core.settings.manage' },
    schema: {
      summary: 'Set the JSON Schema customers’ customFields must satisfy',
      tags: ['settings'],
      // `schema` is itself a JSON Schema document: open on purpose (said explicitly, so the contract shows it).
      body: { type: 'object', additionalProperties: false, required: ['schema'], properties: { schema: { type: 'object', additionalProperties: true, required: ['type'], properties: { type: { const: 'object' } } } } },
      response: { 200: { type: 'object', additionalProperties: false, properties: { schema: { type: 'object', additionalProperties: true } } }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = actorOf(request);
    kernel.customers.validateCustomFieldsSchema(request.body.schema);
    await tenants.updateSettings(actor, { customFieldsSchema: request.body.schema });
    return { schema: request.body.schema };
  });

  app.get<{ Querystring: { after?: string; types?: string; limit: number } }>('/events', {
    config: { permission: 'core.event.read' },
    schema: {
      summary: 'Replay the tenant events after a cursor (oldest first)',
      tags: ['events'],
      querystring: { type: 'object', additionalProperties: false, properties: { after: { type: 'string', maxLength: 200 }, types: { type: 'string', maxLength: 1000, pattern: '^[a-z0-9_.*]+(,[a-z0-9_.*]+)*$' }, limit: pageQuery.limit } },
      response: {
        200: pageOf({ type: 'object', additionalProperties: false, properties: { id: { type: 'string' }, type: { type: 'string' }, occurredAt: { type: 'string' }, data: { type: 'object', additionalProperties: true } } }),
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const after = request.query.after ? Number(decodeCursor(request.query.after, ['integer'])[0]) : 0;
    const { items, position } = await replayEvents(db, actor.tenantId, after, request.query.types?.split(',') ?? ['*'], request.query.limit, kernel.options.dispatcher?.gapGraceMs);
    return {
      items: items.map((e) => ({ id: e.id, type: e.type, occurredAt: e.occurredAt, data: e.data })),
      // Always a position to continue from, so a consumer polling the end keeps its place.
      nextCursor: position > 0 ? encodeCursor([position]) : null,
    };
  });

  app.get<{ Querystring: { status?: 'retrying' | 'dead'; limit: number } }>('/events/failures', {
    config: { permission: 'core.event.read' },
    schema: {
      summary: 'Deliveries to in-process subscribers that are being retried or dead-lettered',
      tags: ['events'],
      querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['retrying', 'dead'] }, limit: pageQuery.limit } },
      response: {
        200: { type: 'object', additionalProperties: false, properties: { items: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { subscriber: { type: 'string' }, eventId: { type: 'string' }, type: { type: 'string' }, status: { type: 'string' }, attempts: { type: 'integer' }, nextAttemptAt: { type: 'string' }, lastError: { type: 'string' } } } }, nextCursor: { type: 'null' } } },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const f = db.table('subscriber_failures');
    const o = db.table('outbox');
    const q = db.knex(f).join(o, `${o}.seq`, `${f}.event_seq`).where(`${f}.tenant_id`, actor.tenantId).orderBy(`${f}.event_seq`).limit(request.query.limit);
    if (request.query.status) q.where(`${f}.status`, request.query.status);
    const rows = await q.select(`${f}.*`, `${o}.id as event_id`, `${o}.type as event_type`);
    return {
      items: rows.map((r) => ({ subscriber: String(r.subscriber_id), eventId: String(r.event_id), type: String(r.event_type), status: String(r.status), attempts: readInt(r.attempts), nextAttemptAt: new Date(readInt(r.next_attempt_at)).toISOString(), lastError: String(r.last_error) })),
      nextCursor: null,
    };
  });

  app.get<{ Querystring: { entityType?: string; entityId?: string; limit: number; cursor?: string } }>('/audit', {
    config: { permission: 'core.audit.read' },
    schema: {
      summary: 'The audit log: who changed what, when, before and after',
      tags: ['audit'],
      querystring: { type: 'object', additionalProperties: false, properties: { entityType: { type: 'string', maxLength: 64 }, entityId: { type: 'string', maxLength: 64 }, ...pageQuery } },
      response: {
        200: pageOf({ type: 'object', additionalProperties: false, properties: { id: { type: 'string' }, actor: { type: 'string' }, actorKind: { type: 'string' }, action: { type: 'string' }, entityType: { type: 'string' }, entityId: { type: 'string' }, before: {}, after: {}, requestId: { type: ['string', 'null'] }, occurredAt: { type: 'string' } } }),
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const { entityType, entityId, limit, cursor } = request.query;
    return audit.list(actorOf(request).tenantId, { limit, ...(entityType && { entityType }), ...(entityId && { entityId }), ...(cursor && { cursor }) });
  });
}
