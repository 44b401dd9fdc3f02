/** Reading the outbox in tests, through the replay API as an integrator would. */
import type { LightMyRequestResponse } from 'fastify';

/** A test tenant that can read events: its admin key and a request function (every plugin's helper has both). */
export interface EventReader {
  admin: string;
  call(token: string | undefined, method: 'GET', url: string): Promise<LightMyRequestResponse>;
}

/** Outbox events of some types (`deal.*,lead.created`), oldest first, every page. */
export async function eventsOf(s: EventReader, types: string): Promise<Array<{ id: string; type: string; data: Record<string, unknown> }>> {
  const out: Array<{ id: string; type: string; data: Record<string, unknown> }> = [];
  let after: string | undefined;
  for (;;) {
    const res = await s.call(s.admin, 'GET', `/api/v1/events?types=${types}&limit=200${after ? `&after=${after}` : ''}`);
    if (res.statusCode !== 200) throw new Error(res.body);
    const page = res.json() as { items: typeof out; nextCursor: string | null };
    out.push(...page.items);
    if (!page.nextCursor || page.items.length === 0) return out;
    after = page.nextCursor;
  }
}

/**
 * What `change` returned and the events of `types` written while it ran, oldest first. The
 * events are those past the last one before it: run changes of the reader's tenant one at
 * a time around it.
 */
export async function eventsWrittenBy<R>(s: EventReader, types: string, change: () => Promise<R>): Promise<{ result: R; events: Array<{ id: string; type: string; data: Record<string, unknown> }> }> {
  const before = (await eventsOf(s, types)).length;
  const result = await change();
  return { result, events: (await eventsOf(s, types)).slice(before) };
}
