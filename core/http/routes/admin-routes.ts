/** Platform admin routes (`/api/v1/admin/…`): admin key only. */
import { platformAuthor } from '../../audit/change-recorder.js';
import { problemSchema } from '../problem.js';
import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../kernel/kernel.js';
import { coreError } from '../../errors.js';
import type { EmbedConfig } from '../../auth/host-token.js';

const tags = ['admin'];
const admin = { admin: true } as const;
const slugParam = { slug: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,62}$' } };
const tenantSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { id: { type: 'string' }, slug: { type: 'string' }, name: { type: 'string' }, locale: { type: 'string' }, timeZone: { type: 'string' }, plugins: { type: 'array', items: { type: 'string' } }, createdAt: { type: 'string' } },
};

/** Registers the admin routes. */
export function adminRoutes(app: FastifyInstance, kernel: Kernel): void {
  const { tenants, apiKeys, roles } = kernel;

  app.post<{ Body: { slug: string; name: string; locale?: 'fa' | 'en'; timeZone?: string; plugins?: string[] } }>('/admin/tenants', {
    config: admin,
    schema: {
      summary: 'Create a tenant',
      tags,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['slug', 'name'],
        properties: { ...slugParam, name: { type: 'string', minLength: 1, maxLength: 200 }, locale: { type: 'string', enum: ['fa', 'en'] }, timeZone: { type: 'string', minLength: 1, maxLength: 64 }, plugins: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 64 } } },
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
    schema: { summary: 'List tenants', tags, response: { 200: { type: 'object', additionalProperties: false, properties: { items: { type: 'array', items: tenantSchema }, nextCursor: { type: 'null' } } }, '4xx': problemSchema } },
  }, async () => ({ items: await tenants.list(), nextCursor: null }));

  const pluginParams = { type: 'object', additionalProperties: false, required: ['slug', 'plugin'], properties: { ...slugParam, plugin: { type: 'string', maxLength: 64 } } };
  app.put<{ Params: { slug: string; plugin: string } }>('/admin/tenants/:slug/plugins/:plugin', {
    config: { ...admin, bodyless: true },
    schema: { summary: 'Enable a plugin for a tenant (with its dependencies, listed in Peyvand-Enabled-Plugins)', tags, params: pluginParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    const enabled = await tenants.enablePlugin(request.params.slug, request.params.plugin, { requestId: String(request.id) });
    return reply.code(204).header('peyvand-enabled-plugins', enabled.join(',')).send();
  });

  app.delete<{ Params: { slug: string; plugin: string } }>('/admin/tenants/:slug/plugins/:plugin', {
    config: admin,
    schema: { summary: 'Disable a plugin for a tenant (its data is kept)', tags, params: pluginParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    await tenants.disablePlugin(request.params.slug, request.params.plugin, { requestId: String(request.id) });
    return reply.code(204).send();
  });

  app.post<{ Params: { slug: string }; Body: { name: string; role: string } }>('/admin/tenants/:slug/api-keys', {
    config: admin,
    schema: {
      summary: 'Create an API key (the key is shown only in this response)',
      tags,
      params: { type: 'object', additionalProperties: false, required: ['slug'], properties: slugParam },
      body: { type: 'object', additionalProperties: false, required: ['name', 'role'], properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, role: { type: 'string', minLength: 1, maxLength: 64 } } },
      response: { 201: { type: 'object', additionalProperties: false, properties: { id: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, key: { type: 'string' } } }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const tenant = await tenants.getBySlug(request.params.slug);
    if (!(await roles.exists(tenant.id, request.body.role))) throw coreError('UNKNOWN_ROLE', { role: request.body.role });
    return reply.code(201).send(await apiKeys.create(platformAuthor(tenant.id, 'admin-api', String(request.id)), request.body.name, request.body.role));
  });

  app.delete<{ Params: { slug: string; id: string } }>('/admin/tenants/:slug/api-keys/:id', {
    config: admin,
    schema: { summary: 'Revoke an API key at once', tags, params: { type: 'object', additionalProperties: false, required: ['slug', 'id'], properties: { ...slugParam, id: { type: 'string', maxLength: 64 } } }, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    const tenant = await tenants.getBySlug(request.params.slug);
    await apiKeys.revoke(platformAuthor(tenant.id, 'admin-api', String(request.id)), request.params.id);
    return reply.code(204).send();
  });

  app.put<{ Params: { slug: string }; Body: EmbedConfig }>('/admin/tenants/:slug/embed', {
    config: admin,
    schema: {
      summary: 'Configure host-signed tokens and allowed origins for widget embedding',
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
