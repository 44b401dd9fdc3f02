/**
 * The few parts of better-sqlite3 that core's read connection (`read-connection.ts`) and
 * the benchmark use. It ships no types, and the project does not depend on its @types
 * package (everything else reaches better-sqlite3 through knex).
 */
declare module 'better-sqlite3' {
  interface RunResult {
    changes: number;
    lastInsertRowid: number | bigint;
  }
  interface Statement {
    run(...params: unknown[]): RunResult;
    get(...params: unknown[]): Record<string, unknown> | undefined;
    all(...params: unknown[]): Array<Record<string, unknown>>;
    pluck(on?: boolean): Statement;
  }
  interface Database {
    prepare(sql: string): Statement;
    pragma(sql: string): unknown;
    exec(sql: string): Database;
    transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
    close(): void;
  }
  const Database: new (file: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => Database;
  export default Database;
  export type { Statement, RunResult };
}
