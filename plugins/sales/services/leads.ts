/**
 * Leads: capture (API and web forms) with duplicate detection against open leads and
 * customers on core's normalized email and phone keys, assignment and scoring on
 * create, status changes new → contacted → qualified | disqualified.
 */
import type { Knex } from 'knex';
import { can, coreError, decodeCursor, encodeCursor, isUniqueViolation, newId, normalizeEmail, normalizePhone, PeyvandError, type Actor, type PeyvandEvents, type PluginContext, type SchemaType } from '../../../core/plugin/index.js';
import type { leadInputSchema, leadListQuerySchema, leadPatchSchema } from '../schemas/lead-schemas.js';
import { salesError } from '../errors.js';
import { leadFromRow, OPEN_LEAD_STATUSES, type LeadDto, type LeadStatus, type Utm } from './records.js';
import type { LeadAssignment } from './lead-assignment.js';
import { scoreLead, type LeadScoring } from './lead-scoring.js';
import type { SettingsService } from './settings.js';
import type { LeadRow } from './rows.js';
import { changedFields, checkVersion, pageOf, type SalesStore } from './store.js';

/** Writable fields of a new lead: the body of POST /leads. */
export type LeadInput = SchemaType<typeof leadInputSchema>;

/** A JSON merge-patch of a lead; disqualifying needs a reason. */
export type LeadPatch = SchemaType<typeof leadPatchSchema>;

/** Where a lead came from when not from the API. */
export interface LeadOrigin {
  webFormId?: string;
  /** Owner when no assignment rule matches. */
  defaultOwnerId?: string;
  /** A duplicate of an open lead is dropped (null) instead of a 409: web forms say nothing. */
  quietDuplicates?: boolean;
}

/** Filters of the lead list: the query of GET /leads. */
export type LeadListFilter = SchemaType<typeof leadListQuerySchema>;

/** Status changes a PATCH may make; `converted` only comes from conversion. */
const NEXT_STATUS: Record<LeadStatus, readonly LeadStatus[]> = {
  new: ['contacted', 'qualified', 'disqualified'],
  contacted: ['qualified', 'disqualified'],
  qualified: ['disqualified'],
  disqualified: ['new'],
  converted: [],
};

const COMPARED: ReadonlyArray<keyof LeadDto> = ['name', 'email', 'phone', 'company', 'source', 'utm', 'territory', 'tags', 'notes', 'status', 'ownerId', 'teamId', 'disqualifyReason', 'score'];

/** Lead use cases. */
export class LeadService {
  constructor(
    private readonly ctx: PluginContext<unknown>,
    private readonly store: SalesStore,
    private readonly settings: SettingsService,
    private readonly assignment: LeadAssignment,
    private readonly scoring: LeadScoring,
  ) {}

  /**
   * Creates a lead; null only for a quiet duplicate (see {@link LeadOrigin}). In `trx` (an
   * import's row) a unique-key race with a concurrent capture is the caller's to report:
   * the check for the 409 cannot run beside a transaction that holds the connection.
   */
  async create(actor: Actor, input: LeadInput, origin: LeadOrigin = {}, trx?: Knex.Transaction): Promise<LeadDto | null> {
    const keys = contactKeys(input);
    if (trx) return this.insertNew(actor, input, keys, origin, trx);
    try {
      return await this.refusingDuplicates(actor, () => keys, undefined, () => this.insertNew(actor, input, keys, origin));
    } catch (err) {
      if (origin.quietDuplicates && err instanceof PeyvandError && err.code === 'LEAD_DUPLICATE') return null;
      throw err;
    }
  }

  private async insertNew(actor: Actor, input: LeadInput, keys: ContactKeys, origin: LeadOrigin, outer?: Knex.Transaction): Promise<LeadDto> {
    return this.store.inTransaction(outer, async (trx) => {
      const duplicate = await this.openDuplicate(trx, actor.tenantId, keys);
      if (duplicate) throw await this.duplicateError(trx, actor, duplicate);
      if (input.ownerId !== undefined && input.ownerId !== actor.subject && !can(actor, 'sales.lead.assign')) {
        throw coreError('OWNER_NOT_ALLOWED', {}, { errors: [{ path: '/ownerId', message: 'not allowed to assign another owner', key: 'core:validation.ownerNotAllowed' }] });
      }
      const settings = await this.settings.get(actor.tenantId, trx);
      const tags = [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))];
      const rule = input.ownerId === undefined ? await this.assignment.assign(trx, actor.tenantId, settings.assignmentRules, { tags, ...(input.territory && { territory: input.territory }), ...(input.source && { source: input.source }) }) : null;
      const ownerId = input.ownerId ?? rule?.ownerId ?? origin.defaultOwnerId ?? (actor.kind === 'system' ? undefined : actor.subject);
      const teamId = rule?.teamId ?? actor.teams[0];
      const [match] = await this.ctx.customers.findByContact(actor.tenantId, { emails: input.email ? [input.email] : [], phones: input.phone ? [input.phone] : [] }, trx);
      const now = Date.now();
      const status = input.status ?? 'new';
      const lead: LeadDto = {
        id: newId(),
        name: input.name.trim(),
        utm: input.utm ?? {},
        tags,
        status,
        score: 0,
        createdAt: new Date(now).toISOString(),
        updatedAt: new Date(now).toISOString(),
        version: 1,
        ...pick(input, ['email', 'phone', 'company', 'source', 'territory', 'notes']),
        ...(ownerId && { ownerId }),
        ...(teamId && { teamId }),
        ...(match && { matchedCustomerId: match.customerId }),
      };
      lead.score = scoreLead(settings.scoringRules, lead, {});
      await this.store.rows(trx, 'leads', actor.tenantId).insert({
        id: lead.id,
        ...columns(lead),
        matched_customer_id: lead.matchedCustomerId ?? null,
        web_form_id: origin.webFormId ?? null,
        ...reachedAt(status, {}, now),
        version: 1,
        created_at: now,
      });
      await this.ctx.audit.record(trx, actor, { action: 'lead.create', entityType: 'lead', entityId: lead.id, after: lead });
      await this.emit(trx, actor, 'lead.created', { lead });
      if (lead.ownerId && lead.ownerId !== actor.subject) await this.emit(trx, actor, 'lead.assigned', { lead, ownerId: lead.ownerId, teamId: lead.teamId ?? null, ruleId: rule?.ruleId ?? null });
      return lead;
    });
  }

  /** A lead within the actor's record scope, or 404. */
  async get(actor: Actor, id: string): Promise<LeadDto> {
    const row = await this.store.scoped(undefined, 'leads', actor).where('id', id).first();
    if (!row) throw salesError('LEAD_NOT_FOUND', { id });
    return leadFromRow(row);
  }

  /** Newest first, cursor-paginated, within scope. */
  async list(actor: Actor, filter: LeadListFilter): Promise<{ items: LeadDto[]; nextCursor: string | null }> {
    const q = this.store.scoped(undefined, 'leads', actor);
    if (filter.status) q.where('status', filter.status);
    if (filter.ownerId) q.where('owner_id', filter.ownerId);
    if (filter.source) q.where('source', filter.source);
    if (filter.cursor) q.where('id', '<', String(decodeCursor(filter.cursor)[0]));
    const rows = await q.orderBy('id', 'desc').limit(filter.limit + 1);
    return pageOf(rows.map(leadFromRow), filter.limit, encodeCursor);
  }

  /**
   * Applies a merge-patch; a status change must be one of {@link NEXT_STATUS}. A lead
   * that is (or becomes) open with another open lead's email or phone is a 409, as on
   * capture.
   */
  async update(actor: Actor, id: string, patch: LeadPatch, expectedVersion?: number): Promise<LeadDto> {
    // The keys this write claims, for the 409 when a concurrent writer took one first.
    let keys: ContactKeys = { email: null, phone: null };
    return this.refusingDuplicates(actor, () => keys, id, () => this.ctx.data.transaction(async (trx) => {
      const before = await this.getForWrite(trx, actor, id);
      checkVersion(expectedVersion, before.version);
      if (patch.status !== undefined && patch.status !== before.status && !NEXT_STATUS[before.status].includes(patch.status)) {
        throw salesError('LEAD_STATUS_INVALID', { from: before.status, to: patch.status }, [{ path: '/status', message: `cannot go from ${before.status} to ${patch.status}`, key: 'sales:validation.leadStatus', params: { from: before.status, to: patch.status } }]);
      }
      const next: LeadDto = { ...before, utm: { ...before.utm } };
      for (const [key, value] of Object.entries(patch) as Array<[keyof LeadPatch, unknown]>) {
        if (key === 'utm') next.utm = value === null ? {} : { ...before.utm, ...(value as Utm) };
        else if (key === 'tags') next.tags = value === null ? [] : [...new Set((value as string[]).map((t) => t.trim()).filter(Boolean))];
        else if (value === null) delete next[key];
        else (next as unknown as Record<string, unknown>)[key] = typeof value === 'string' && key === 'name' ? value.trim() : value;
      }
      if (next.status !== 'disqualified') delete next.disqualifyReason;
      if (next.ownerId !== before.ownerId && next.ownerId !== actor.subject && !can(actor, 'sales.lead.assign')) {
        throw coreError('OWNER_NOT_ALLOWED', {}, { errors: [{ path: '/ownerId', message: 'not allowed to assign another owner', key: 'core:validation.ownerNotAllowed' }] });
      }
      next.score = await this.scoring.compute(trx, actor.tenantId, next);
      const changed = changedFields(before, next, COMPARED);
      if (changed.length === 0) return before;
      keys = openKeys(next);
      const previous = openKeys(before);
      if ((keys.email && keys.email !== previous.email) || (keys.phone && keys.phone !== previous.phone)) {
        const duplicate = await this.openDuplicate(trx, actor.tenantId, keys, id);
        if (duplicate) throw await this.duplicateError(trx, actor, duplicate);
      }
      const now = Date.now();
      const after: LeadDto = { ...next, version: before.version + 1, updatedAt: new Date(now).toISOString() };
      const reached = after.status !== before.status ? reachedAt(after.status, await this.reached(trx, actor.tenantId, id), now) : {};
      await this.store.updateVersioned(trx, 'leads', actor.tenantId, id, before.version, { ...columns(after), ...reached });
      await this.ctx.audit.record(trx, actor, { action: 'lead.update', entityType: 'lead', entityId: id, before, after });
      await this.emit(trx, actor, 'lead.updated', { lead: after, changed });
      if (after.ownerId !== before.ownerId) await this.emit(trx, actor, 'lead.assigned', { lead: after, ownerId: after.ownerId ?? null, teamId: after.teamId ?? null, ruleId: null });
      if (after.status === 'disqualified' && before.status !== 'disqualified') await this.emit(trx, actor, 'lead.disqualified', { lead: after, reason: after.disqualifyReason ?? '' });
      return after;
    }));
  }

  /**
   * Removes a lead in `trx` — an import's undo of the lead it created; the API has no lead
   * delete (a lead is disqualified). Audited, `lead.deleted` emitted.
   */
  async remove(trx: Knex.Transaction, actor: Actor, id: string): Promise<void> {
    const before = await this.getForWrite(trx, actor, id);
    await this.store.rows(trx, 'leads', actor.tenantId).where('id', id).delete();
    await this.ctx.audit.record(trx, actor, { action: 'lead.delete', entityType: 'lead', entityId: id, before });
    await this.emit(trx, actor, 'lead.deleted', { lead: before });
  }

  /** Loads a lead for a write, within scope, locking the row where the dialect can. */
  async getForWrite(trx: Knex.Transaction, actor: Actor, id: string): Promise<LeadDto> {
    const row = await this.store.forUpdate(this.store.scoped(trx, 'leads', actor).where('id', id).first());
    if (!row) throw salesError('LEAD_NOT_FOUND', { id });
    return leadFromRow(row);
  }

  /** The instants a lead first reached each status (the funnel report counts them). */
  async reached(trx: Knex.Transaction, tenantId: string, id: string): Promise<Partial<Reached>> {
    return (await this.store.rows(trx, 'leads', tenantId).where('id', id).select('contacted_at', 'qualified_at', 'disqualified_at', 'converted_at').first()) ?? {};
  }

  /** An open lead of the tenant (other than `exceptId`) with the same normalized email or phone, and which one matched. */
  private async openDuplicate(executor: Knex.Transaction | undefined, tenantId: string, keys: ContactKeys, exceptId?: string): Promise<Duplicate | undefined> {
    if (!keys.email && !keys.phone) return undefined;
    const q = this.store.rows(executor, 'leads', tenantId).where((w) => {
      if (keys.email) w.orWhere('open_email_key', keys.email);
      if (keys.phone) w.orWhere('open_phone_key', keys.phone);
    });
    if (exceptId) q.whereNot('id', exceptId);
    const row = await q.select('id', 'open_email_key').first();
    return row ? { id: row.id, field: keys.email && row.open_email_key === keys.email ? 'email' : 'phone' } : undefined;
  }

  /** The 409 for a duplicate; it names the other lead only to someone who may see it. */
  private async duplicateError(executor: Knex.Transaction | undefined, actor: Actor, duplicate: Duplicate): Promise<PeyvandError> {
    const visible = await this.store.scoped(executor, 'leads', actor).where('id', duplicate.id).first('id');
    return salesError('LEAD_DUPLICATE', {}, [{ path: `/${duplicate.field}`, message: 'an open lead has this contact', key: visible ? 'sales:validation.duplicateLead' : 'sales:validation.duplicateLeadHidden', params: { id: duplicate.id } }]);
  }

  /**
   * Runs a lead write. When the database refuses it for an open key another writer took
   * between our check and our write (a concurrent capture of the same person, in this
   * process or another), the answer is the 409 the check would have given.
   */
  private async refusingDuplicates<T>(actor: Actor, claimed: () => ContactKeys, exceptId: string | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const duplicate = await this.openDuplicate(undefined, actor.tenantId, claimed(), exceptId);
      if (!duplicate) throw err;
      throw await this.duplicateError(undefined, actor, duplicate);
    }
  }

  private emit<T extends LeadEvent>(trx: Knex.Transaction, actor: Actor, type: T, data: PeyvandEvents[T]): Promise<string> {
    return this.ctx.events.emit(trx, type, data, { tenantId: actor.tenantId, aggregateType: 'lead', aggregateId: (data as { lead: LeadDto }).lead.id });
  }
}

type LeadEvent = 'lead.created' | 'lead.updated' | 'lead.assigned' | 'lead.disqualified' | 'lead.converted' | 'lead.deleted';

/**
 * Sets `<status>_at` for a status reached now, keeping earlier instants. Reaching a later
 * status also counts as having reached the earlier ones, so the funnel never narrows
 * the wrong way when a lead skips a step.
 */
export function reachedAt(status: LeadStatus, current: Partial<Reached>, now: number): Partial<Reached> {
  const ladder: Partial<Record<LeadStatus, Array<keyof Reached>>> = { contacted: ['contacted_at'], qualified: ['contacted_at', 'qualified_at'], converted: ['contacted_at', 'qualified_at', 'converted_at'], disqualified: ['disqualified_at'] };
  return Object.fromEntries((ladder[status] ?? []).filter((c) => current[c] == null).map((c) => [c, now]));
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (source[k] !== undefined && source[k] !== '') out[k] = source[k];
  return out;
}

/** The instant columns of a lead: when it first reached each status. */
type Reached = Pick<LeadRow, 'contacted_at' | 'qualified_at' | 'disqualified_at' | 'converted_at'>;

/** Another open lead of the same person, and the field it shares. */
interface Duplicate {
  id: string;
  field: 'email' | 'phone';
}

/** Normalized contact keys: what duplicates are matched on. */
export interface ContactKeys {
  email: string | null;
  phone: string | null;
}

/** A lead's normalized email and phone (core's matching), sized to their columns. */
export function contactKeys(lead: { email?: string; phone?: string }): ContactKeys {
  const phone = lead.phone ? normalizePhone(lead.phone) : null;
  return {
    email: lead.email ? normalizeEmail(lead.email).slice(0, 190) || null : null,
    // A number has at most 15 digits (ITU E.164): a longer string identifies nobody.
    phone: phone && phone.length <= 32 ? phone : null,
  };
}

/** The keys a lead holds in the unique open-lead indexes: its contact keys while open, else none. */
function openKeys(lead: LeadDto): ContactKeys {
  return OPEN_LEAD_STATUSES.includes(lead.status) ? contactKeys(lead) : { email: null, phone: null };
}

function keyColumns(lead: LeadDto): Record<string, string | null> {
  const keys = contactKeys(lead);
  const open = openKeys(lead);
  return { email_key: keys.email, phone_key: keys.phone, open_email_key: open.email, open_phone_key: open.phone };
}

/** The writable columns of a lead, with its normalized contact keys. */
export function columns(l: LeadDto): Partial<LeadRow> {
  return {
    name: l.name,
    email: l.email ?? null,
    phone: l.phone ?? null,
    company: l.company ?? null,
    source: l.source ?? null,
    utm_source: l.utm.source ?? null,
    utm_medium: l.utm.medium ?? null,
    utm_campaign: l.utm.campaign ?? null,
    territory: l.territory ?? null,
    tags: JSON.stringify(l.tags),
    notes: l.notes ?? null,
    ...keyColumns(l),
    status: l.status,
    score: l.score,
    owner_id: l.ownerId ?? null,
    team_id: l.teamId ?? null,
    disqualify_reason: l.disqualifyReason ?? null,
    customer_id: l.customerId ?? null,
    deal_id: l.dealId ?? null,
    converted_at: l.convertedAt ? Date.parse(l.convertedAt) : null,
    updated_at: Date.parse(l.updatedAt),
  };
}
