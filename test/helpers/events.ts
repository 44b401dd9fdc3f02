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
