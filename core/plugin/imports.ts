/**
 * What a plugin registers to make its records importable and exportable through core's
 * import/export (`ctx.imports.register(...)` in `bootstrap`).
 */
import type { Knex } from 'knex';
import type { Actor } from './actor.js';
import type { FieldError } from './errors.js';
import { toLatinDigits } from './persian/digits.js';
import type { JsonSchema } from './types.js';

/** One data row of a file: its 1-based row number (header excluded) and its fields by path. */
export interface MappedRow {
  row: number;
  fields: Record<string, string>;
}

/** Why a row was not written: a coded error as the API would answer it, localized when read. */
export interface RowError {
  code: string;
  i18nKey: string;
  params: Record<string, unknown>;
  errors: FieldError[];
}

/** What happened to one row. */
export type RowOutcome = { status: 'created' | 'updated' | 'unchanged'; id: string } | { status: 'invalid'; error: RowError };

/** An audit entry an import wrote, handed back to the entity to undo it. */
export interface ImportedChange {
  action: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

/** An importable (and exportable) entity. */
export interface ImportEntity {
  /** The `entity` query value: `customers`, `orders`, `leads`… */
  name: string;
  /** The plugin that registered it (`core` or a plugin name): imports need it enabled. */
  plugin: string;
  /** The permission an import of it needs besides `core.import.run` (what creating one by the API needs). */
  writePermission: string;
  /** Field paths a header maps to by default (a header equal to one of them); `customFields.` prefixes any key. */
  fields: readonly string[];
  /**
   * Rows that must land in the same batch (an order's lines): consecutive rows with the
   * same key are never split. Undefined: any row may start a batch.
   */
  groupKey?(row: MappedRow): string | undefined;
  /**
   * Writes a batch in `trx` as `actor` (its `requestId` names the import, so every audit
   * entry carries it) and returns one outcome per row, in order; rows of one group get the
   * same outcome. A row's failure must not abort the transaction (use savepoints).
   */
  write(trx: Knex.Transaction, actor: Actor, rows: readonly MappedRow[]): Promise<RowOutcome[]>;
  /** Reverts one audited change of an import in `trx`: removes what it created, restores what it updated. */
  undo(trx: Knex.Transaction, actor: Actor, change: ImportedChange): Promise<void>;
  /** The entity's audit `entityType` (undo reads the import's entries of this type). */
  auditType: string;
  /**
   * The export: header, then rows, read in pages within `actor`'s record scope. `formatDate`
   * writes a date in the calendar the caller chose.
   */
  export?(actor: Actor, formatDate: (iso: string | null) => string): AsyncIterable<string[]>;
}

/** The registry a plugin sees as `ctx.imports`, with the helpers every entity's `write` needs. */
export interface ImportRegistry {
  /** Registers an entity; a name can be taken once. */
  register(entity: ImportEntity): void;
  /**
   * A validator of a row's input against a route's body schema, with the API's formats and
   * messages: the API's 400 VALIDATION_FAILED as a row error, or undefined when valid.
   */
  validator(schema: JsonSchema): (value: unknown) => RowError | undefined;
  /**
   * Runs one row's write in a savepoint: a coded failure (a `PeyvandError`) rolls back that
   * row only and becomes its `invalid` outcome; anything else fails the batch (retried).
   */
  inSavepoint(trx: Knex.Transaction, work: (sp: Knex.Transaction) => Promise<RowOutcome>): Promise<RowOutcome>;
}

/**
 * A number from a cell (`۱۲٬۰۰۰` → 12000, Persian and Arabic digits and separators too); text
 * that is not one stays text, for validation to refuse with the API's message.
 */
export function cellNumber(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  const latin = toLatinDigits(text).replace(/[,٬\s]/g, '').replace('٫', '.');
  return /^-?\d+(\.\d+)?$/.test(latin) ? Number(latin) : text;
}

/** A cell of `;`-separated values (tags), trimmed, empty ones left out. */
export function cellList(text: string | undefined): string[] {
  return (text ?? '').split(';').map((v) => v.trim()).filter(Boolean);
}
