/** Platform admin routes (`/api/v1/admin/…`): admin key only. */
import { lineString } from '../../plugin/schemas.js';
import { platformAuthor } from '../../audit/change-recorder.js';
import { problemSchema } from '../problem.js';
import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../kernel/kernel.js';
import { coreError } from '../../plugin/errors.js';
import { decodeCursor, encodeCursor } from '../../plugin/cursor.js';
import { pageQuery } from '../../plugin/schemas.js';
import type { PeyvandTypeProvider } from '../../plugin/route-types.js';
import { tenantSchema } from '../../plugin/tenants.js';

const tags = ['admin'];
const admin = { admin: true } as const;
const slugParam = { slug: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } } as const;
/** Registers the admin routes. */
export function adminRoutes(scope: FastifyInstance, kernel: Kernel): void {
  // Request types come from the route schemas, as in plugins.
  const app = scope.withTypeProvider<PeyvandTypeProvider>();
  const { tenants, apiKeys, roles } = kernel;

  app.post('/admin/tenants', {
    config: admin,
    schema: {
      operationId: 'admin.tenant.create', summary: 'Create a tenant', description: 'Platform admin key only. Creates a tenant with its locale, time zone and enabled plugins; every built-in role is created with it. A slug already taken answers 409.',
      tags,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['slug', 'name'],
        properties: { ...slugParam, name: lineString(200, 1), locale: { type: 'string', enum: ['fa', 'en'] }, timeZone: { type: 'string', minLength: 1, maxLength: 64 }, plugins: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 64 } } },
      },
      response: { 201: tenantSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const { timeZone } = request.body;
    if (timeZone && !isTimeZone(timeZone)) throw coreError('VALIDATION_FAILED', {}, { errors: [{ path: '/timeZone', message: 'unknown time zone', key: 'core:validation.timeZone' }] });
    return reply.code(201).send(await tenants.create(request.body, { requestId: String(request.id) }));
  });

  app.get('/admin/tenants', {
    config: admin,
    schema: {
      operationId: 'admin.tenant.list',
      summary: 'List tenants by slug, a page at a time',
      description: 'Platform admin key only. Every tenant of this deployment, with its enabled plugins, ordered by slug and cursor-paginated.',
      tags,
      querystring: { type: 'object', additionalProperties: false, properties: pageQuery },
      response: { 200: { type: 'object', additionalProperties: false, properties: { items: { type: 'array', items: tenantSchema }, nextCursor: { type: ['string', 'null'] } } }, '4xx': problemSchema },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const after = cursor === undefined ? undefined : String(decodeCursor(cursor, ['string'])[0]);
    const page = await tenants.list({ limit: limit + 1, ...(after !== undefined && { after }) });
    const items = page.slice(0, limit);
    return { items, nextCursor: page.length > limit ? encodeCursor([items[items.length - 1]!.slug]) : null };
  });

  const pluginParams = { type: 'object', additionalProperties: false, required: ['slug', 'plugin'], properties: { ...slugParam, plugin: { type: 'string', maxLength: 64 } } } as const;
  app.put('/admin/tenants/:slug/plugins/:plugin', {
    config: { ...admin, bodyless: true },
    schema: { operationId: 'admin.tenant-plugin.enable', summary: 'Enable a plugin for a tenant (with its dependencies, listed in Peyvand-Enabled-Plugins)', description: 'Platform admin key only. Enables an installed plugin, and the plugins it depends on, for one tenant; the `Peyvand-Enabled-Plugins` response header lists every plugin this call enabled.', tags, params: pluginParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    const enabled = await tenants.enablePlugin(request.params.slug, request.params.plugin, { requestId: String(request.id) });
    return reply.code(204).header('peyvand-enabled-plugins', enabled.join(',')).send();
  });

  app.delete('/admin/tenants/:slug/plugins/:plugin', {
    config: admin,
    schema: { operationId: 'admin.tenant-plugin.disable', summary: 'Disable a plugin for a tenant (its data is kept)', description: 'Platform admin key only. The plugin\'s routes then answer 404 for this tenant, its subscribers skip the tenant\'s events and its widgets say it is not enabled; its data stays, so enabling it again restores it.', tags, params: pluginParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await tenants.disablePlugin(request.params.slug, request.params.plugin, { requestId: String(request.id) });
    return reply.code(204).send();
  });

  app.put('/admin/tenants/:slug/rate-limit', {
    config: admin,
    schema: {
      operationId: 'admin.tenant-rate-limit.put', summary: 'Set a tenant\'s rate limit (requests per credential per minute)',
      description: 'Platform admin key only. Overrides the deployment\'s `PEYVAND_RATE_LIMIT_PER_MINUTE` for every credential of this tenant; `null` returns to it. Applied at once on this node and within a second on the others; the count is shared by all nodes (Redis when configured, else the database).',
      tags,
      params: { type: 'object', additionalProperties: false, required: ['slug'], properties: slugParam },
      body: { type: 'object', additionalProperties: false, required: ['perMinute'], properties: { perMinute: { anyOf: [{ type: 'integer', minimum: 1, maximum: 1_000_000 }, { type: 'null' }] } } },
      response: { 204: { type: 'null' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    await tenants.setRateLimit(request.params.slug, request.body.perMinute, { requestId: String(request.id) });
    return reply.code(204).send();
  });

  app.post('/admin/tenants/:slug/api-keys', {
    config: admin,
    schema: {
      operationId: 'admin.api-key.create', summary: 'Create an API key (the key is shown only in this response)', description: 'Platform admin key only. Issues a `pvk_…` bearer key with one role of the tenant. Only a hash is stored: keep the key from this response.',
      tags,
      params: { type: 'object', additionalProperties: false, required: ['slug'], properties: slugParam },
      body: { type: 'object', additionalProperties: false, required: ['name', 'role'], properties: { name: lineString(200, 1), role: { type: 'string', minLength: 1, maxLength: 64 } } },
      response: { 201: { type: 'object', additionalProperties: false, properties: { id: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, key: { type: 'string' } } }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const tenant = await tenants.getBySlug(request.params.slug);
    if (!(await roles.exists(tenant.id, request.body.role))) throw coreError('UNKNOWN_ROLE', { role: request.body.role });
    return reply.code(201).send(await apiKeys.create(platformAuthor(tenant.id, 'admin-api', String(request.id)), request.body.name, request.body.role));
  });

  app.delete('/admin/tenants/:slug/api-keys/:id', {
    config: admin,
    schema: { operationId: 'admin.api-key.revoke', summary: 'Revoke an API key at once', description: 'Platform admin key only. The key stops authenticating with the next request, on every node.', tags, params: { type: 'object', additionalProperties: false, required: ['slug', 'id'], properties: { ...slugParam, id: { type: 'string', maxLength: 64 } } }, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    const tenant = await tenants.getBySlug(request.params.slug);
    await apiKeys.revoke(platformAuthor(tenant.id, 'admin-api', String(request.id)), request.params.id);
    return reply.code(204).send();
  });

  app.put('/admin/tenants/:slug/embed', {
    config: admin,
    schema: {
      operationId: 'admin.tenant-embed.put', summary: 'Configure host-signed tokens and allowed origins for widget embedding', description: 'Platform admin key only. Sets how the ERP signs tokens for its users (HS256 secret or a public key) and which browser origins may call the API, for the widgets embedded in its pages.',
      tags,
      params: { type: 'object', additionalProperties: false, required: ['slug'], properties: slugParam },
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['algorithms', 'allowedOrigins'],
        properties: {
          hs256Secret: { type: 'string', minLength: 32, maxLength: 512 },
          jwksUrl: { type: 'string', format: 'uri', maxLength: 2000 },
          algorithms: { type: 'array', minItems: 1, maxItems: 4, items: { type: 'string', maxLength: 10 } },
          allowedOrigins: { type: 'array', maxItems: 50, items: { type: 'string', pattern: '^https?://[^/\\s]+$', maxLength: 300 } },
        },
      },
      response: { 204: { type: 'null' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    await tenants.setEmbedConfig(request.params.slug, request.body, { requestId: String(request.id) });
    return reply.code(204).send();
  });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
