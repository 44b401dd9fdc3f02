/** Identifiers: UUIDv7 strings, time-ordered so primary-key order is creation order. */
import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

// uuid's v7 asks the CSPRNG for 16 bytes per id, about 5 µs each here — a third of the
// JavaScript time of writing a row to the outbox. The same CSPRNG bytes, drawn 4 KiB at
// a time, cost a fraction of that; ids are identifiers, not secrets.
const pool = new Uint8Array(16 * 256);
let offset = pool.length;
// Monotonic within the process, exactly as uuid's own v7 state: a random 31-bit sequence
// at each new millisecond, +1 for each further id in the same millisecond.
const state = { msecs: -Infinity, seq: 0 };

/** A new UUIDv7 string. */
export function newId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const random = pool.subarray(offset, (offset += 16));
  const now = Date.now();
  if (now > state.msecs) {
    state.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    state.msecs = now;
  } else {
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs++;
  }
  return uuidv7({ random, msecs: state.msecs, seq: state.seq });
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a string is a UUID in canonical lower-case form. */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
