/** HTTP routes of the ERP's orders and invoices (`/api/v1/orders…`, `/api/v1/invoices…`). */
import type { FastifyInstance } from 'fastify';
import type { PeyvandTypeProvider } from '../plugin/route-types.js';
import { idParams, pageOf, pageQuery } from '../plugin/schemas.js';
import { problemSchema } from '../http/problem.js';
import { actorOf } from '../http/request-guards.js';
import type { InvoiceService } from './invoice-service.js';
import type { OrderService } from './order-service.js';
import { invoiceSchema, orderSchema } from '../plugin/orders.js';
import { byRefParams, invoiceInputSchema, orderInputSchema } from './order-schemas.js';
import { INVOICE_STATUSES, ORDER_STATUSES } from './order-types.js';

const customerIdQuery = { type: 'string', maxLength: 64 } as const;

/** Registers the order and invoice routes. */
export function orderRoutes(scope: FastifyInstance, services: { orders: OrderService; invoices: InvoiceService }): void {
  // Request types come from the route schemas, as in plugins.
  const app = scope.withTypeProvider<PeyvandTypeProvider>();
  const { orders, invoices } = services;

  app.put('/orders/by-ref/:source/:externalId', {
    config: { permission: 'core.order.write' },
    schema: {
      summary: 'Create or replace an order by its ERP reference (201 created, 200 updated or unchanged)', description: "The ERP (or an adapter) writes its order here, keyed by source and external id. The customer is named by id or by its own ERP reference; an unknown reference is kept and linked when that customer arrives. A write that changes nothing changes nothing and emits nothing, so a sync can replay it freely.",
      operationId: 'core.order.upsert',
      tags: ['orders'],
      params: byRefParams,
      body: orderInputSchema,
      response: { 200: orderSchema, 201: orderSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const { created, order } = await orders.upsertByRef(actorOf(request), request.params.source, request.params.externalId, request.body);
    return reply.code(created ? 201 : 200).header('etag', `"${order.version}"`).send(order);
  });

  app.get('/orders', {
    config: { permission: 'core.order.read' },
    schema: {
      summary: 'List orders, newest placed first', description: "Orders the caller may see through the customer's record scope, filtered by customer and status, cursor-paginated.",
      operationId: 'core.order.list',
      tags: ['orders'],
      querystring: { type: 'object', additionalProperties: false, properties: { customerId: customerIdQuery, status: { type: 'string', enum: [...ORDER_STATUSES] }, ...pageQuery } },
      response: { 200: pageOf(orderSchema), '4xx': problemSchema },
    },
  }, async (request) => {
    const { customerId, status, limit, cursor } = request.query;
    return orders.list(actorOf(request), { limit, ...(customerId && { customerId }), ...(status && { status }), ...(cursor && { cursor }) });
  });

  app.get('/orders/:id', {
    config: { permission: 'core.order.read' },
    schema: { summary: 'Get an order', description: "One order with its lines and returned lines; another tenant's order is a 404.", operationId: 'core.order.get', tags: ['orders'], params: idParams, response: { 200: orderSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const order = await orders.get(actorOf(request), request.params.id);
    return reply.header('etag', `"${order.version}"`).send(order);
  });

  app.put('/invoices/by-ref/:source/:externalId', {
    config: { permission: 'core.invoice.write' },
    schema: {
      summary: 'Create or replace an invoice by its ERP reference (201 created, 200 updated or unchanged)', description: "The ERP writes its invoice here, keyed by source and external id; `orderRef` names the order's external id in the same source. Overdue is computed by Peyvand's scheduler from `dueAt`.",
      operationId: 'core.invoice.upsert',
      tags: ['invoices'],
      params: byRefParams,
      body: invoiceInputSchema,
      response: { 200: invoiceSchema, 201: invoiceSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const { created, invoice } = await invoices.upsertByRef(actorOf(request), request.params.source, request.params.externalId, request.body);
    return reply.code(created ? 201 : 200).header('etag', `"${invoice.version}"`).send(invoice);
  });

  app.get('/invoices', {
    config: { permission: 'core.invoice.read' },
    schema: {
      summary: 'List invoices, latest due first', description: "Invoices the caller may see through the customer's record scope, filtered by customer and status, cursor-paginated.",
      operationId: 'core.invoice.list',
      tags: ['invoices'],
      querystring: { type: 'object', additionalProperties: false, properties: { customerId: customerIdQuery, status: { type: 'string', enum: [...INVOICE_STATUSES] }, ...pageQuery } },
      response: { 200: pageOf(invoiceSchema), '4xx': problemSchema },
    },
  }, async (request) => {
    const { customerId, status, limit, cursor } = request.query;
    return invoices.list(actorOf(request), { limit, ...(customerId && { customerId }), ...(status && { status }), ...(cursor && { cursor }) });
  });

  app.get('/invoices/:id', {
    config: { permission: 'core.invoice.read' },
    schema: { summary: 'Get an invoice', description: "One invoice; another tenant's invoice is a 404.", operationId: 'core.invoice.get', tags: ['invoices'], params: idParams, response: { 200: invoiceSchema, '4xx': problemSchema } },
  }, async (request, reply) => {
    const invoice = await invoices.get(actorOf(request), request.params.id);
    return reply.header('etag', `"${invoice.version}"`).send(invoice);
  });
}
