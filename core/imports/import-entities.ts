/**
 * What can be imported and exported, as a registry: core registers `customers` and
 * `orders`; a plugin registers its own entities (`leads`, `deals` from sales) from its
 * `bootstrap` through `ctx.imports.register(...)`. Core never imports a plugin: it only
 * calls what was registered, and only for tenants that have the registering plugin enabled.
 */
import type { Knex } from 'knex';
import type { ImportEntity, ImportRegistry, RowError, RowOutcome } from '../plugin/imports.js';
import type { JsonSchema } from '../plugin/types.js';
import { bodyValidator, inSavepoint } from './row-values.js';

export type { ImportedChange, ImportEntity, MappedRow, RowError, RowOutcome } from '../plugin/imports.js';

/** The registry; plugins get it as `ctx.imports`. */
export class ImportEntities implements ImportRegistry {
  private readonly entities = new Map<string, ImportEntity>();

  /** Registers an entity; a name can be taken once. */
  register(entity: ImportEntity): void {
    if (this.entities.has(entity.name)) throw new Error(`import entity "${entity.name}" is already registered`);
    this.entities.set(entity.name, entity);
  }

  validator(schema: JsonSchema): (value: unknown) => RowError | undefined {
    return bodyValidator(schema);
  }

  inSavepoint(trx: Knex.Transaction, work: (sp: Knex.Transaction) => Promise<RowOutcome>): Promise<RowOutcome> {
    return inSavepoint(trx, work);
  }

  get(name: string): ImportEntity | undefined {
    return this.entities.get(name);
  }

  names(): string[] {
    return [...this.entities.keys()];
  }
}
