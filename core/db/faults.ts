/**
 * Database faults a request can meet that are nobody's mistake and pass by themselves or
 * by an operator's hand: the disk is full, or the connection to the database server was
 * lost (the server restarted, an administrator killed the backend, the network dropped),
 * or the database is busy: concurrent transactions held what this one needed (a deadlock
 * victim, a serialization failure, a lock wait timeout, SQLite's busy timeout).
 * The HTTP layer answers them as problems of their own (`STORAGE_FULL` 507,
 * `DATABASE_UNAVAILABLE` and `DATABASE_BUSY` 503 with `Retry-After`) instead of an opaque
 * 500, so a client knows the write did not take effect now and may retry; the operator
 * reads the driver's error in the log. Nothing here retries: a retried write could be
 * committed twice. (A transaction that is safe to run again is retried where it is
 * written, with `retryOnDeadlock`; a busy error reaching the HTTP layer is its last attempt's.)
 */
import { isBusyConflict } from '../plugin/sql.js';

/** What kind of fault an error is, or undefined for any other error. */
export type DatabaseFault = 'storage-full' | 'unavailable' | 'busy';

/** A thrown value's own fields, as the drivers set them. */
interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  name?: unknown;
  stack?: unknown;
  cause?: unknown;
  /** objection's DBError keeps the driver's error here. */
  nativeError?: unknown;
}

/** SQLite (better-sqlite3 codes), PostgreSQL 53100 `disk_full`, MariaDB/MySQL ER_RECORD_FILE_FULL and ER_DISK_FULL*, Node's ENOSPC. */
const STORAGE_FULL_CODES = new Set(['SQLITE_FULL', 'SQLITE_IOERR_WRITE_ENOSPC', '53100', 'ENOSPC', 'ER_RECORD_FILE_FULL', 'ER_DISK_FULL', 'ER_DISK_FULL_NOWAIT']);
const STORAGE_FULL_ERRNOS = new Set([1021, 1114, 1990]);

/**
 * Lost or refused connections: PostgreSQL's class 08 (connection exception) and 57P01–03
 * (terminated by an administrator, crash shutdown, cannot connect now); MariaDB/MySQL's
 * lost connection, killed connection (1927) and server shutdown; the socket errors.
 */
const UNAVAILABLE_CODES = new Set([
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006',
  'PROTOCOL_CONNECTION_LOST', 'ER_CONNECTION_KILLED', 'ER_SERVER_SHUTDOWN', 'ER_QUERY_INTERRUPTED',
]);
/**
 * Socket errors, counted only when a query met them: knex writes the statement before the
 * driver's message (`BEGIN; - read ECONNRESET`), or a driver frame is on the stack. An ERP
 * call's reset (fetch's `cause`) is not the database's.
 */
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
const DRIVER_FRAME = /node_modules[\\/](pg|pg-pool|mysql2|knex|tarn)[\\/]/;
const KNEX_QUERY_MESSAGE = / - (read|write|connect) E[A-Z]+/;
const UNAVAILABLE_ERRNOS = new Set([1053, 1317, 1927, 2006, 2013]);
/** Drivers that say it only in words: node-postgres on a dropped socket, mysql2 on a closed one, knex's pool. */
const UNAVAILABLE_MESSAGES = /Connection terminated|not queryable|connection is in closed state|Can't add new command when connection is in closed state|Timeout acquiring a connection|terminating connection due to administrator command/i;

/** SQLite's busy codes: another process held the database's write lock past `busy_timeout`. */
const SQLITE_BUSY = /^SQLITE_BUSY/;

/** Classifies an error (or what it wraps) as a database fault. */
export function databaseFault(error: unknown): DatabaseFault | undefined {
  const seen = new Set<unknown>();
  for (let e = error as DriverError | undefined; e && typeof e === 'object' && !seen.has(e); e = (e.nativeError ?? e.cause) as DriverError | undefined) {
    seen.add(e);
    const code = typeof e.code === 'string' ? e.code : undefined;
    const errno = typeof e.errno === 'number' ? e.errno : undefined;
    if ((code && STORAGE_FULL_CODES.has(code)) || (errno !== undefined && STORAGE_FULL_ERRNOS.has(errno))) return 'storage-full';
    if ((code && UNAVAILABLE_CODES.has(code)) || (errno !== undefined && UNAVAILABLE_ERRNOS.has(errno))) return 'unavailable';
    if (code && SOCKET_CODES.has(code) && (KNEX_QUERY_MESSAGE.test(String(e.message)) || DRIVER_FRAME.test(String(e.stack)))) return 'unavailable';
    if (e.name === 'KnexTimeoutError' || (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message))) return 'unavailable';
    if (isBusyConflict(e) || (code && SQLITE_BUSY.test(code))) return 'busy';
  }
  return undefined;
}
