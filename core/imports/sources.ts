/**
 * The rows of an uploaded file, streamed: CSV/TSV text in UTF-8 (with or without a BOM)
 * or windows-1256 (declared by `charset`, or detected: bytes that are not valid UTF-8 are
 * the Persian Windows code page, the usual export of Iranian accounting software), and
 * `.xlsx` through exceljs's streaming reader. Memory stays flat whatever the file's size.
 */
import fs from 'node:fs';
import iconv from 'iconv-lite';

/** File formats an import accepts. */
export type ImportFormat = 'csv' | 'xlsx';

/** Text encodings of CSV files. */
export type TextEncoding = 'utf-8' | 'windows-1256';

/** How many bytes the encoding and delimiter are guessed from. */
const SNIFF_BYTES = 64 * 1024;

/**
 * The encoding of a CSV file: a declared charset wins; else a UTF-8 BOM or valid UTF-8 in
 * the first 64 KiB means UTF-8, anything else windows-1256.
 */
export async function detectEncoding(file: string, declared?: string): Promise<TextEncoding> {
  const name = declared?.toLowerCase().replace(/^cp/, 'windows-');
  if (name === 'windows-1256') return 'windows-1256';
  if (name === 'utf-8' || name === 'utf8') return 'utf-8';
  const head = await readHead(file);
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  // A multi-byte character cut at the end of the sample is not an error: drop up to 3 bytes.
  for (let cut = 0; cut <= Math.min(3, head.length); cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
      return 'utf-8';
    } catch {
      if (head.length < SNIFF_BYTES) break;
    }
  }
  return 'windows-1256';
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The rows of a file, header first, each an array of cell texts. */
export async function* readRows(file: string, format: ImportFormat, encoding: TextEncoding): AsyncGenerator<string[]> {
  if (format === 'xlsx') yield* xlsxRows(file);
  else yield* csvRows(file, encoding);
}

/** CSV rows; the delimiter (`,` `;` or tab) is the one the header line uses most. */
async function* csvRows(file: string, encoding: TextEncoding): AsyncGenerator<string[]> {
  const stream = fs.createReadStream(file).pipe(iconv.decodeStream(encoding, { stripBOM: true }));
  const parser = new CsvParser();
  for await (const chunk of stream as AsyncIterable<string>) yield* parser.push(chunk);
  yield* parser.end();
}

/**
 * An RFC 4180 parser fed in chunks: quoted fields with doubled quotes, delimiters and line
 * breaks inside quotes, CRLF or LF. Blank lines are skipped.
 */
export class CsvParser {
  private delimiter: string | undefined;
  private field = '';
  private row: string[] = [];
  private quoted = false;
  private afterQuote = false;
  private pendingCR = false;

  /** Rows completed by this chunk. */
  *push(chunk: string): Generator<string[]> {
    this.delimiter ??= sniffDelimiter(chunk);
    const d = this.delimiter;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.pendingCR) {
        this.pendingCR = false;
        if (c === '\n') continue;
      }
      if (this.quoted) {
        if (c === '"') {
          if (chunk[i + 1] === '"') {
            this.field += '"';
            i++;
          } else if (i + 1 === chunk.length) {
            // A quote at the chunk's end: a doubled quote or the closing one, decided by the next chunk.
            this.quoted = false;
            this.afterQuote = true;
          } else {
            this.quoted = false;
          }
        } else this.field += c;
        continue;
      }
      if (this.afterQuote) {
        this.afterQuote = false;
        if (c === '"') {
          this.field += '"';
          this.quoted = true;
          continue;
        }
      }
      if (c === '"' && this.field === '') this.quoted = true;
      else if (c === d) {
        this.row.push(this.field);
        this.field = '';
      } else if (c === '\n' || c === '\r') {
        if (c === '\r') this.pendingCR = true;
        const row = this.finishRow();
        if (row) yield row;
      } else this.field += c;
    }
  }

  /** The last row, when the file does not end with a line break. */
  *end(): Generator<string[]> {
    const row = this.finishRow();
    if (row) yield row;
  }

  private finishRow(): string[] | undefined {
    this.row.push(this.field);
    const row = this.row;
    this.row = [];
    this.field = '';
    return row.length === 1 && row[0] === '' ? undefined : row;
  }
}

function sniffDelimiter(text: string): string {
  const line = text.slice(0, text.search(/\r|\n/) === -1 ? text.length : text.search(/\r|\n/));
  const count = (d: string) => line.split(d).length - 1;
  return [',', ';', '\t'].reduce((best, d) => (count(d) > count(best) ? d : best), ',');
}

/** The rows of the first worksheet of an `.xlsx`, cells as text (dates as ISO). */
async function* xlsxRows(file: string): AsyncGenerator<string[]> {
  // Loaded by the first xlsx, not at startup (see export-service.ts).
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', worksheets: 'emit', entries: 'ignore' });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = (row.values as unknown[]).slice(1);
      const cells = Array.from(values, cellText);
      if (cells.some((c) => c !== '')) yield cells;
    }
    return;
  }
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const v = value as { text?: unknown; result?: unknown; richText?: Array<{ text: string }> };
    if (v.richText) return v.richText.map((r) => r.text).join('');
    if (v.text !== undefined) return cellText(v.text);
    if (v.result !== undefined) return cellText(v.result);
    return '';
  }
  return String(value);
}
