/**
 * Runs the embedding example: the ERP's app with Peyvand under `/crm`.
 *
 *   node --import tsx examples/embed-fastify/server.ts
 *
 * Environment:
 *   DATABASE_URL        the ERP's database (default: a fresh SQLite file in a temp dir, removed on exit)
 *   PEYVAND_SECRET      Peyvand's credential-sealing key, 32+ characters (default: generated per run)
 *   PEYVAND_ADMIN_KEY   admin bearer token for /crm/api/v1/admin/* (default: generated and printed)
 *   HOST, PORT          listen address (default 127.0.0.1:3100)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildHostApp } from './host-app.js';

let tempDir: string | undefined;
let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'peyvand-embed-'));
  databaseUrl = `sqlite:${path.join(tempDir, 'erp.sqlite')}`;
}
const secret = process.env.PEYVAND_SECRET ?? randomBytes(32).toString('base64url');
const adminKey = process.env.PEYVAND_ADMIN_KEY ?? `admin_${randomBytes(24).toString('base64url')}`;
if (!process.env.PEYVAND_SECRET && process.env.DATABASE_URL) {
  console.warn('PEYVAND_SECRET is not set: using a key generated for this run only; credentials sealed now cannot be read after a restart.');
}

const removeTemp = () => {
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
};

let app: Awaited<ReturnType<typeof buildHostApp>>;
try {
  app = await buildHostApp({ databaseUrl, secret, adminKey, logger: true });
} catch (err) {
  console.error('could not start:', err);
  removeTemp();
  process.exit(1);
}

const port = Number(process.env.PORT ?? 3100);
const host = process.env.HOST ?? '127.0.0.1';
const address = await app.listen({ port, host });

console.log(`
ERP with embedded Peyvand listening on ${address}
  database             ${databaseUrl.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@')}
  ERP routes           ${address}/erp/invoices   ${address}/health
  Peyvand (CRM)        ${address}/crm/health   ${address}/crm/api/v1/…
  OpenAPI of the CRM   ${address}/crm/api/v1/openapi.json
  admin key            ${adminKey}
Ctrl-C to stop.
`);

// Graceful shutdown: stop accepting, let in-flight requests finish, stop Peyvand's
// dispatcher, then close the shared pool (all done by app.close()). After that nothing
// holds the event loop and the process ends on its own; the unref'd timer only fires
// if something still hangs. A second signal exits at once.
let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) process.exit(1);
    closing = true;
    app.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      console.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000).unref();
    app.close().then(
      () => {
        removeTemp();
        process.exitCode = 0;
      },
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        removeTemp();
        process.exitCode = 1;
      },
    );
  });
}
