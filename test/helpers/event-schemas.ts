/**
 * Checks events against the JSON Schemas their plugins declare for their data (issue 11:
 * the payload types are derived from those schemas, so a schema that disagrees with what an
 * emitter writes is a wrong type as well). The schemas are closed: a field an emitter adds,
 * or one it leaves out, is reported here.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import { withFormats } from '../../core/http/validation.js';
import { eventsOf, eventsWrittenBy, type EventReader } from './events.js';

/** An event as the outbox or the replay API gives it. */
export interface EventWithData {
  type: string;
  data: unknown;
}

/**
 * Asserts that every event of a type in `schemas` matches the schema of its data, and
 * returns the types it checked (so a test can say which it saw). Events of other types
 * are skipped.
 */
export function assertEventData(t: Test, events: readonly EventWithData[], schemas: Readonly<Record<string, object>>): Set<string> {
  const ajv = withFormats(new Ajv({ strict: false, allErrors: true }));
  const validators = new Map<string, ValidateFunction>();
  const checked = new Set<string>();
  const failures: string[] = [];
  for (const event of events) {
    const schema = schemas[event.type];
    if (!schema) continue;
    let validate = validators.get(event.type);
    if (!validate) validators.set(event.type, (validate = ajv.compile(schema)));
    checked.add(event.type);
    if (!validate(event.data)) failures.push(`${event.type}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(event.data).slice(0, 300)}`);
  }
  t.same(failures, [], `${events.length} events of ${checked.size} declared types match their data schemas`);
  return checked;
}

/**
 * Reads a tenant's events of `types` (`ticket.*,csat.*`) through the replay API and asserts
 * they match `schemas`, and that each of `expected` was among them.
 */
export async function assertWrittenEvents(t: Test, reader: EventReader, types: string, schemas: Readonly<Record<string, object>>, expected: readonly string[]): Promise<void> {
  const checked = assertEventData(t, await eventsOf(reader, types), schemas);
  t.same(expected.filter((type) => !checked.has(type)), [], `${expected.join(', ')} were written and checked`);
}

/**
 * Runs an API call of the reader's tenant and asserts its status, and that it wrote
 * exactly the events `expected` names for its answer — types and data, in order, of any
 * type, nothing more — each valid against the schema its type declares (a type that
 * declares none fails). A refused call expects `() => []`: it wrote no event. The
 * tenant must have no background writer meanwhile (the test helpers boot without one).
 */
export async function assertCallEvents(
  t: Test,
  reader: EventReader,
  schemas: Readonly<Record<string, object>>,
  what: string,
  call: () => Promise<LightMyRequestResponse>,
  status: number,
  expected: (answer: LightMyRequestResponse) => readonly EventWithData[],
): Promise<LightMyRequestResponse> {
  const { result: answer, events } = await eventsWrittenBy(reader, '*', call);
  t.equal(answer.statusCode, status, `${what}: ${status}`);
  const wanted = expected(answer);
  t.strictSame(events.map(({ type, data }) => ({ type, data })), wanted, `${what}: ${wanted.length ? wanted.map((e) => e.type).join(', ') : 'no event'}`);
  t.same(events.filter((e) => !schemas[e.type]).map((e) => e.type), [], `${what}: every event written declares its schema`);
  if (events.length) assertEventData(t, events, schemas);
  return answer;
}
