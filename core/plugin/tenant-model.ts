/**
 * The tenant-scoped base of every tenant-owned model. A query on a {@link TenantModel}
 * must say which tenant it serves (`Model.forTenant(tenantId)`): finds, updates and
 * deletes get `tenant_id = ?` added when the query is built, inserts get `tenant_id`
 * set, and a query without a tenant throws instead of touching every tenant's rows.
 * Plugins inherit this, so none of them can forget the scope.
 */
import { Model, QueryBuilder, type Page, type QueryContext, type TransactionOrKnex } from 'objection';
import type { Knex } from 'knex';

/** Thrown when a tenant-owned model is queried without a tenant. */
export class TenantScopeMissingError extends Error {
  constructor(model: string) {
    super(`${model} is tenant-owned: query it through ${model}.forTenant(tenantId)`);
    this.name = 'TenantScopeMissingError';
  }
}

/** Query builder that applies the tenant scope at build time. */
export class TenantQueryBuilder<M extends Model, R = M[]> extends QueryBuilder<M, R> {
  declare ArrayQueryBuilderType: TenantQueryBuilder<M, M[]>;
  declare SingleQueryBuilderType: TenantQueryBuilder<M, M>;
  declare MaybeSingleQueryBuilderType: TenantQueryBuilder<M, M | undefined>;
  declare NumberQueryBuilderType: TenantQueryBuilder<M, number>;
  declare PageQueryBuilderType: TenantQueryBuilder<M, Page<M>>;

  // objection passes the model class at run time; its typings declare no parameters.
  constructor(...args: never[]) {
    super(...(args as []));
    this.onBuild((builder) => {
      const tenantId = (builder.context() as { tenantId?: string }).tenantId;
      const model = builder.modelClass();
      if (!tenantId) throw new TenantScopeMissingError(model.name);
      if (builder.isFind() || builder.isUpdate() || builder.isDelete()) {
        builder.where(`${builder.tableRefFor(model)}.tenant_id`, tenantId);
      }
    });
  }
}

/** Base class of tenant-owned models. Subclasses set `static table` (without prefix). */
export class TenantModel extends Model {
  declare QueryBuilderType: TenantQueryBuilder<this>;
  static override QueryBuilder = TenantQueryBuilder;

  /** Table name without the deployment's prefix. */
  static table = '';

  declare tenantId: string;

  /** The prefixed table name; the prefix travels on the bound knex's user params. */
  static override get tableName(): string {
    const knex = this.knex() as Knex | undefined;
    const prefix = (knex?.userParams as { tablePrefix?: string } | undefined)?.tablePrefix ?? 'crm_';
    return prefix + this.table;
  }

  /** A query scoped to one tenant. */
  static forTenant<M extends typeof TenantModel>(this: M, tenantId: string, trx?: TransactionOrKnex): TenantQueryBuilder<InstanceType<M>> {
    return (this.query(trx) as unknown as TenantQueryBuilder<InstanceType<M>>).context({ tenantId });
  }

  override $beforeInsert(ctx: QueryContext): void {
    const tenantId = (ctx as { tenantId?: string }).tenantId;
    if (!tenantId) throw new TenantScopeMissingError(this.constructor.name);
    if (this.tenantId && this.tenantId !== tenantId) {
      throw new Error(`refusing to insert a ${this.constructor.name} of another tenant`);
    }
    this.tenantId = tenantId;
  }

  // snake_case columns, camelCase properties.
  static override get columnNameMappers() {
    return snakeCaseMappers;
  }
}

import { snakeCaseMappers as makeSnakeCaseMappers } from 'objection';
const snakeCaseMappers = makeSnakeCaseMappers();

/** Binds a model class to a deployment's knex and table prefix. */
export function bindModel<M extends typeof TenantModel>(model: M, knex: Knex, prefix: string): M {
  return model.bindKnex(knex.withUserParams({ tablePrefix: prefix })) as M;
}
