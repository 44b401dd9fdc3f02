/**
 * Exports of a registered entity, streamed page by page: CSV with a UTF-8 BOM (so Excel
 * opens Persian text) or `.xlsx` through exceljs's streaming writer. Dates are written in
 * the tenant's time zone, in the Gregorian or the Jalali calendar (`1403/12/11 14:30`),
 * with Latin digits so the file imports back unchanged.
 */
import { PassThrough, Readable } from 'node:stream';
import type { Actor } from '../plugin/actor.js';
import { can } from '../plugin/actor.js';
import { coreError } from '../plugin/errors.js';
import { toJalali } from '../plugin/persian/jalali.js';
import type { TenantService } from '../tenancy/tenant-service.js';
import { csvLine } from './csv-out.js';
import type { ImportEntities } from './import-entities.js';

/** The calendars of an export's dates. */
export type ExportCalendar = 'gregorian' | 'persian';

/** Read permission of each core entity's export (plugins' entities: their write permission's read twin). */
const READ_PERMISSION: Record<string, string> = { customers: 'core.customer.read', orders: 'core.order.read' };

/** Streams exports. */
export class ExportService {
  constructor(
    private readonly entities: ImportEntities,
    private readonly tenants: TenantService,
  ) {}

  /** The export as a stream; 404 for an entity nobody registered or whose plugin is off. */
  async open(actor: Actor, name: string, format: 'csv' | 'xlsx', calendar: ExportCalendar): Promise<Readable> {
    const entity = this.entities.get(name);
    if (!entity?.export || (entity.plugin !== 'core' && !(await this.tenants.isEnabled(actor.tenantId, entity.plugin)))) throw coreError('EXPORT_NOT_FOUND', { entity: name });
    const permission = READ_PERMISSION[name] ?? entity.writePermission.replace(/\.[a-z_]+$/, '.read');
    if (!can(actor, permission)) throw coreError('FORBIDDEN', { permission });
    const timeZone = (await this.tenants.findById(actor.tenantId))?.timeZone ?? 'UTC';
    const rows = entity.export(actor, (iso) => (iso ? formatInstant(new Date(iso), calendar, timeZone) : ''));
    return format === 'csv' ? Readable.from(csvStream(rows)) : xlsxStream(rows, name);
  }
}

async function* csvStream(rows: AsyncIterable<string[]>): AsyncGenerator<string> {
  yield '\uFEFF';
  for await (const row of rows) yield csvLine(row);
}

/** An `.xlsx` written row by row into a stream (exceljs commits each row, so memory stays flat). */
function xlsxStream(rows: AsyncIterable<string[]>, sheetName: string): Readable {
  const out = new PassThrough();
  void (async () => {
    // exceljs is loaded by the first xlsx, not at startup (a large module tree the CLI and most servers never need).
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
    const sheet = workbook.addWorksheet(sheetName);
    for await (const row of rows) sheet.addRow(row).commit();
    sheet.commit();
    await workbook.commit();
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

/** `2025-03-01 10:00` or `1403/12/11 10:00`, in `timeZone`. */
export function formatInstant(date: Date, calendar: ExportCalendar, timeZone: string): string {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
  if (calendar === 'persian') {
    const j = toJalali(date, timeZone);
    return `${j.year}/${String(j.month).padStart(2, '0')}/${String(j.day).padStart(2, '0')} ${time}`;
  }
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
  return `${day} ${time}`;
}
