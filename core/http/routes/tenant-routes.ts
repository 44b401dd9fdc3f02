/** Tenant-level routes of core: `/me`, roles, settings, events replay and dead letters, audit. */
import { problemSchema, requestLanguage } from '../problem.js';
import { translator } from '../../i18n/i18n.js';
import type { FastifyInstance } from 'fastify';
import type { PeyvandTypeProvider } from '../../plugin/route-types.js';
import type { Kernel } from '../../kernel/kernel.js';
import { actorOf } from '../request-guards.js';
import { replayEvents } from '../../events/replay.js';
import { readInt } from '../../db/database.js';
import type { SubscriberFailureRow } from '../../db/rows/events.js';
import { pageOf, pageQuery } from '../../customers/customer-schemas.js';

const scopeEnum = { type: 'string', enum: ['own', 'team', 'all'] } as const;
const roleSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { name: { type: 'string' }, builtIn: { type: 'boolean' }, customized: { type: 'boolean' }, permissions: { type: 'array', items: { type: 'string' } }, scopes: { type: 'object', additionalProperties: scopeEnum } },
} as const;

const pendingRoleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['role', 'builtIn', 'permissions'],
  properties: {
    role: { type: 'string' },
    builtIn: { type: 'boolean' },
    permissions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'plugin', 'description', 'suggested', 'since'],
        properties: { name: { type: 'string' }, plugin: { type: 'string' }, description: { type: 'string' }, suggested: { type: 'boolean' }, since: { type: 'string', format: 'date-time' } },
      },
    },
  },
} as const;

/** Registers core's tenant routes. */
export function tenantRoutes(scope: FastifyInstance, kernel: Kernel): void {
  // Request types come from the route schemas, as in plugins.
  const app = scope.withTypeProvider<PeyvandTypeProvider>();
  const { tenants, roles, audit, db } = kernel;

  app.get('/me', {
    config: { permission: 'core.me.read' },
    schema: {
      operationId: 'core.me.get', summary: 'Who the credential is: tenant, subject, roles, permissions, locale, plugins', description: 'What the calling credential is allowed to do in its tenant: its roles, effective permissions and record scopes, the tenant\'s locale and time zone, and the plugins enabled for it. Widgets read it once to decide what to show.',
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
    schema: { operationId: 'core.role.list', summary: 'List the tenant roles', description: 'The built-in roles (owner, admin, manager, agent, viewer) and the tenant\'s own, with their permissions and record scopes.', tags: ['roles'], response: { 200: { type: 'object', additionalProperties: false, properties: { items: { type: 'array', items: roleSchema }, nextCursor: { type: 'null' } } }, '4xx': problemSchema } },
  }, async (request) => {
    const actor = actorOf(request);
    return { items: await roles.list(actor.tenantId, await tenants.enabledPlugins(actor.tenantId)), nextCursor: null };
  });

  app.get('/roles/pending-permissions', {
    config: { permission: 'core.role.read' },
    schema: {
      operationId: 'core.role.pending-permissions', summary: 'Permissions new since a role was last saved, for an admin to approve',
      description: 'A plugin upgrade that declares new permissions never grants them to the tenant\'s custom roles or edited built-in roles. They are listed here per role, with `suggested` when the plugin grants the permission to that built-in role by default. Saving the role with `PUT /roles/{name}` (with or without them) marks them reviewed. Built-in roles the tenant never edited follow the plugins\' defaults and have nothing pending.',
      tags: ['roles'],
      response: { 200: { type: 'object', additionalProperties: false, required: ['items'], properties: { items: { type: 'array', items: pendingRoleSchema } } }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const t = translator(kernel.i18n, requestLanguage(request));
    const pending = await roles.pending(actor.tenantId, await tenants.enabledPlugins(actor.tenantId));
    return { items: pending.map((r) => ({ ...r, permissions: r.permissions.map((p) => ({ ...p, description: String(t(p.description)) })) })) };
  });

  app.put('/roles/:name', {
    config: { permission: 'core.role.manage' },
    schema: {
      operationId: 'core.role.put', summary: 'Create or replace a role (owner is locked)', description: 'Replaces the permissions and record scopes of a role, or creates a custom role. The owner role cannot be changed, so a tenant can never lock itself out.',
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

  app.put('/settings/custom-fields', {
    config: { permission: 'core.settings.manage' },
    schema: {
      operationId: 'core.custom-fields.put', summary: 'Set the JSON Schema customers’ customFields must satisfy', description: 'Every customer\'s `customFields` must satisfy this JSON Schema from now on; creating or updating a customer that does not answers 400 with the field errors.',
      tags: ['settings'],
      // `schema` is itself a JSON Schema document: open on purpose (said explicitly, so the contract shows it).
      body: { type: 'object', additionalProperties: false, required: ['schema'], properties: { schema: { type: 'object', additionalProperties: true, required: ['type'], properties: { type: { const: 'object' } } } } },
      response: { 200: { type: 'object', additionalProperties: false, properties: { schema: { type: 'object', additionalProperties: true } } }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = actorOf(request);
    kernel.customers.customFields.check(request.body.schema);
    await tenants.updateSettings(actor, { customFieldsSchema: request.body.schema });
    return { schema: request.body.schema };
  });

  app.get('/events', {
    config: { permission: 'core.event.read' },
    schema: {
      operationId: 'core.event.list', summary: 'Replay the tenant events after a cursor (oldest first)', description: 'The tenant\'s events in the order they happened, after an opaque cursor: how an ERP catches up after downtime. Filter by type with `types=customer.*,deal.won`.',
      tags: ['events'],
      querystring: { type: 'object', additionalProperties: false, properties: { after: { type: 'string', maxLength: 200 }, types: { type: 'string', maxLength: 1000, pattern: '^[a-z0-9_.*]+(,[a-z0-9_.*]+)*$' }, limit: pageQuery.limit } },
      response: {
        200: pageOf({ type: 'object', additionalProperties: false, properties: { id: { type: 'string' }, type: { type: 'string' }, occurredAt: { type: 'string' }, data: { type: 'object', additionalProperties: true } } }),
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const actor = actorOf(request);
    // At the end of the stream the same cursor comes back, so a consumer polling the end keeps its place.
    const { items, nextCursor } = await replayEvents(db, actor.tenantId, request.query.after, request.query.types?.split(',') ?? ['*'], request.query.limit, kernel.options.dispatcher?.gapGraceMs);
    return { items: items.map((e) => ({ id: e.id, type: e.type, occurredAt: e.occurredAt, data: e.data })), nextCursor };
  });

  app.get('/events/failures', {
    config: { permission: 'core.event.read' },
    schema: {
      operationId: 'core.event-failure.list', summary: 'Deliveries to in-process subscribers that are being retried or dead-lettered', description: 'Events a plugin\'s subscriber failed to handle: still being retried with backoff, or dead-lettered after the last attempt, with the error.',
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
    const q = db.rows('subscriber_failures').join(o, `${o}.seq`, `${f}.event_seq`).where(`${f}.tenant_id`, actor.tenantId).orderBy(`${f}.event_seq`).limit(request.query.limit);
    if (request.query.status) q.where(`${f}.status`, request.query.status);
    const rows = await q.select<Array<SubscriberFailureRow & { event_id: string; event_type: string }>>(`${f}.*`, `${o}.id as event_id`, `${o}.type as event_type`);
    return {
      items: rows.map((r) => ({ subscriber: r.subscriber_id, eventId: r.event_id, type: r.event_type, status: r.status, attempts: r.attempts, nextAttemptAt: new Date(readInt(r.next_attempt_at)).toISOString(), lastError: r.last_error })),
      nextCursor: null,
    };
  });

  app.get('/audit', {
    config: { permission: 'core.audit.read' },
    schema: {
      operationId: 'core.audit.list', summary: 'The audit log: who changed what, when, before and after', description: 'Every change to the tenant\'s records: who (subject and credential), when, the entity, and its state before and after. Newest first.',
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
