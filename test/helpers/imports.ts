/** Imports through the HTTP API in tests: upload a file, then drive the worker until it is done. */
import type { SalesTenant } from './sales.js';

/** An import as `GET /api/v1/imports/{id}` answers it. */
export type ImportJob = { id: string; status: string; dryRun: boolean; rowsRead: number; created: number; updated: number; unchanged: number; failed: number };

/** Upload, finish and undo against one tenant, as `token` (the tenant's admin by default). */
export function importer(s: SalesTenant) {
  const kernel = s.p.peyvand.kernel;
  /** Runs the worker until the import reaches `until` (or any finished state when not given). */
  async function finish(id: string, until?: string): Promise<ImportJob> {
    for (let i = 0; i < 50; i++) {
      const job = await s.ok<ImportJob>(s.admin, 'GET', `/api/v1/imports/${id}`);
      if (until ? job.status === until : ['succeeded', 'failed', 'undone'].includes(job.status)) return job;
      await kernel.importWorker.runOnce();
    }
    throw new Error(`import ${id} did not reach ${until ?? 'an end'}`);
  }
  return {
    finish,
    /** Uploads a file (`query` holds entity, dryRun, mapping…) and runs it to its end. */
    async importFile(query: string, body: Buffer | string, contentType = 'text/csv', token = s.admin): Promise<ImportJob> {
      const res = await s.p.call(token, { method: 'POST', url: `/api/v1/imports?${query}`, payload: body, headers: { 'content-type': contentType } });
      if (res.statusCode !== 202 || res.json().status !== 'queued') throw new Error(`${res.statusCode} ${res.body}`);
      return finish(res.json().id as string);
    },
    /** Undoes an import and runs the worker until it is undone. */
    async undo(id: string): Promise<ImportJob> {
      const res = await s.call(s.admin, 'POST', `/api/v1/imports/${id}/undo`);
      if (res.statusCode !== 202) throw new Error(`${res.statusCode} ${res.body}`);
      return finish(id, 'undone');
    },
  };
}
