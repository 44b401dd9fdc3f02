/**
 * Who a subject is, by name: the cache of people a tenant's records mention. Filled as
 * subjects are seen — a host-signed token with a `name` claim, an API key when it is
 * created — and read by `GET /api/v1/people?ids=…`, which widgets call to name owners.
 * A name changes when the host signs a token with a new one; this process remembers the
 * names it wrote, so a request writes only when a name is new or changed.
 */
import type { Database } from '../db/database.js';

/** What kind of principal a subject is. */
export type PersonKind = 'user' | 'api_key' | 'system';

/** A directory entry. */
export interface Person {
  id: string;
  name: string;
  kind: PersonKind;
}

/** Most names this process remembers having written (then it forgets the oldest). */
const REMEMBERED = 10_000;

/** The people directory; the kernel exposes it as `kernel.people`. */
export class PeopleDirectory {
  private readonly written = new Map<string, string>();

  constructor(private readonly db: Database) {}

  /** Whether {@link remember} would write nothing: no name, or this process wrote it already. */
  remembered(tenantId: string, subject: string, name: string): boolean {
    const trimmed = name.trim().slice(0, 300);
    return !trimmed || this.written.get(`${tenantId}\u0000${subject}`) === trimmed;
  }

  /** Records a subject's display name (an upsert; nothing is written when it is already known). */
  async remember(tenantId: string, subject: string, name: string, kind: PersonKind): Promise<void> {
    const key = `${tenantId}\u0000${subject}`;
    const trimmed = name.trim().slice(0, 300);
    if (!trimmed || this.written.get(key) === trimmed) return;
    const row = { tenant_id: tenantId, subject: subject.slice(0, 200), name: trimmed, kind, updated_at: Date.now() };
    await this.db.rows('people').insert(row).onConflict(['tenant_id', 'subject']).merge(['name', 'kind', 'updated_at']);
    if (this.written.size >= REMEMBERED) this.written.delete(this.written.keys().next().value!);
    this.written.delete(key);
    this.written.set(key, trimmed);
  }

  /** The known people among `subjects`, in the order asked; unknown subjects are left out. */
  async find(tenantId: string, subjects: readonly string[]): Promise<Person[]> {
    if (subjects.length === 0) return [];
    const rows = await this.db.rows('people').where({ tenant_id: tenantId }).whereIn('subject', [...new Set(subjects)]).select('subject', 'name', 'kind');
    const bySubject = new Map(rows.map((r) => [r.subject, r]));
    return subjects.flatMap((id) => {
      const row = bySubject.get(id);
      return row ? [{ id, name: row.name, kind: row.kind as PersonKind }] : [];
    });
  }
}
