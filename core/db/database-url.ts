/**
 * The database URL's pure helpers, apart from `connect.ts` so that code which only names
 * or prints a URL (the CLI's configuration and help) does not load knex and its drivers.
 */

/** Default database location for the embedded mode. */
export const DEFAULT_DATABASE_URL = 'sqlite:./data/peyvand.sqlite';

/** A URL with its password replaced, for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
