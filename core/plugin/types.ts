/** The small shared vocabulary of the contract: schemas, permissions, roles and record scope. */

/** A JSON Schema object (draft 2020-12 subset ajv understands). */
export type JsonSchema = Record<string, unknown>;

/** A permission a plugin declares: `<plugin>.<resource>.<action>`. */
export interface PermissionDeclaration {
  /** The permission string; must start with the plugin's name and a dot. */
  name: string;
  /** i18n key of its description (`sales:permissions.deal_read`). */
  description: string;
  /** Built-in roles that hold it by default. */
  roles: ReadonlyArray<BuiltInRoleName>;
}

/** The built-in roles every tenant has. */
export type BuiltInRoleName = 'owner' | 'admin' | 'manager' | 'agent' | 'viewer';

/** A resource whose records have an owner, so roles can limit it to `own|team|all`. */
export interface ScopedResource {
  /** Resource name, e.g. `customer`, `deal`. */
  name: string;
  /** Default scope per built-in role (missing roles get `all`). */
  defaults?: Partial<Record<BuiltInRoleName, RecordScope>>;
}

/** How much of an owned resource a role sees. */
export type RecordScope = 'own' | 'team' | 'all';
