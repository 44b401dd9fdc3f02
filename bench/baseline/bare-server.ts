/**
 * The HTTP baseline: a bare fastify app (no logger, hooks, auth or schemas) on the same
 * database with hand-written SQL. It answers what the Peyvand routes answer — the
 * customer as JSON — with the least work that can: a primary-key SELECT, a single-row
 * INSERT, and the search index queried directly.
 */
import fastify, { type FastifyInstance } from 'fastify';
import Sqlite, { type Statement } from 'better-sqlite3';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { searchSql } from './bare-search.js';
import { PLANNER_SETTINGS } from '../../core/customers/search-index/postgres-sql.js';

const P = 'crm_';
const JSON_COLUMNS = ['emails', 'phones', 'addresses', 'tags', 'custom_fields', 'external_refs'] as const;

/** A row as the API's customer (JSON columns parsed, times as ISO strings, names camel-cased). */
function customerOf(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { id: row.id, kind: row.kind, name: row.name };
  if (row.given_name != null) out.givenName = row.given_name;
  if (row.family_name != null) out.familyName = row.family_name;
  for (const c of JSON_COLUMNS) out[c === 'custom_fields' ? 'customFields' : c === 'external_refs' ? 'externalRefs' : c] = JSON.parse(String(row[c] ?? '[]'));
  if (row.locale != null) out.locale = row.locale;
  if (row.owner_id != null) out.ownerId = row.owner_id;
  out.createdAt = new Date(Number(row.created_at)).toISOString();
  out.updatedAt = new Date(Number(row.updated_at)).toISOString();
  out.version = Number(row.version);
  return out;
}

/** The bare server on `databaseUrl` (`sqlite:` for read, write and search; `postgres://` for search). */
export async function bareServer(databaseUrl: string, tenantId: string): Promise<FastifyInstance> {
  const app = fastify();
  if (databaseUrl.startsWith('postgres')) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
    app.get<{ Querystring: { q: string } }>('/customers', async (request) => {
      const search = searchSql('postgres', tenantId, request.query.q);
      if (!search) return { items: [], nextCursor: null };
      const client = await pool.connect();
      try {
        await client.query(`begin; ${PLANNER_SETTINGS}`);
        const { rows } = await client.query(search.sql, search.params);
        await client.query('commit');
        return { items: rows.slice(0, 50).map(customerOf), nextCursor: rows.length > 50 ? rows[49].id : null };
      } finally {
        client.release();
      }
    });
    app.addHook('onClose', async () => pool.end());
    return app;
  }
  const db = new Sqlite(databaseUrl.replace(/^sqlite:/, ''));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const byId = db.prepare(`select * from ${P}customers where id = ?`);
  const statements = new Map<string, Statement>();
  const insert = db.prepare(`insert into ${P}customers (id, tenant_id, kind, name, given_name, family_name, organization_id, emails, phones, addresses, tags, custom_fields, external_refs, locale, owner_id, team_id, version, created_at, updated_at) values (?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?, ?, ?, ?, 'bare', null, 1, ?, ?)`);
  app.get<{ Params: { id: string } }>('/customers/:id', async (request, reply) => {
    const row = byId.get(request.params.id);
    return row ? customerOf(row) : reply.code(404).send({ error: 'not found' });
  });
  app.post<{ Body: Record<string, unknown> }>('/customers', async (request, reply) => {
    const b = request.body;
    const id = uuidv7();
    const now = Date.now();
    const json = (k: string, empty: string) => (b[k] === undefined ? empty : JSON.stringify(b[k]));
    insert.run(id, tenantId, b.kind, b.name, b.givenName ?? null, b.familyName ?? null, json('emails', '[]'), json('phones', '[]'), json('addresses', '[]'), json('tags', '[]'), json('customFields', '{}'), json('externalRefs', '[]'), b.locale ?? null, now, now);
    return reply.code(201).send(customerOf(byId.get(id)!));
  });
  app.get<{ Querystring: { q: string } }>('/customers', async (request) => {
    const search = searchSql('sqlite', tenantId, request.query.q);
    if (!search) return { items: [], nextCursor: null };
    const rows = (statements.get(search.sql) ?? statements.set(search.sql, db.prepare(search.sql)).get(search.sql)!).all(...search.params);
    return { items: rows.slice(0, 50).map(customerOf), nextCursor: rows.length > 50 ? rows[49]!.id : null };
  });
  app.addHook('onClose', async () => db.close());
  return app;
}
