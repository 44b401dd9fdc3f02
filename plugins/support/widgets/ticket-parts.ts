/**
 * What the ticket widgets show alike: the SLA badges (breached, due soon with the business
 * time left, paused, met), the status and priority labels, and their styles.
 */
import { css, formatDateTime, html, nothing, type Locale, type MessageParams, type TemplateResult } from '../../../widgets/runtime/index.js';
import type { SlaTarget, Ticket } from './api-types.js';

/** A running target with this many business minutes or fewer left is "due soon". */
export const DUE_SOON_MINUTES = 120;

/** The element's `t`, handed to the helpers. */
export type Translate = (key: string, params?: MessageParams) => string;

/** Business time left, `۱ ساعت و ۵ دقیقه` / `1 h 5 min`. */
export function timeLeft(t: Translate, minutes: number): string {
  const m = Math.max(0, minutes);
  const hours = Math.floor(m / 60);
  if (!hours) return t('support.minutes', { count: m });
  return m % 60 ? t('support.hoursMinutes', { hours, minutes: m % 60 }) : t('support.hours', { count: hours });
}

/** The target a list row warns about: a breached one first, else the running one with the least time left, if due soon. */
export function urgentTarget(ticket: Ticket): SlaTarget | undefined {
  const targets = ticket.sla?.targets ?? [];
  const breached = targets.find((target) => target.state === 'breached');
  if (breached) return breached;
  const running = targets.filter((target) => target.state === 'running').sort((a, b) => a.remainingBusinessMinutes - b.remainingBusinessMinutes)[0];
  return running && running.remainingBusinessMinutes <= DUE_SOON_MINUTES ? running : undefined;
}

/** One target as a badge: `breached`, `due soon` (with the time left) or, when `all`, its plain state. */
export function slaBadge(t: Translate, locale: Locale, target: SlaTarget, all = false): TemplateResult | typeof nothing {
  const kind = t(`support.target.${target.kind}`);
  if (target.state === 'breached') return html`<span class="badge breached" part="badge">${t('support.sla.breached', { target: kind })}</span>`;
  const soon = target.state === 'running' && target.remainingBusinessMinutes <= DUE_SOON_MINUTES;
  if (soon) return html`<span class="badge soon" part="badge">${t('support.sla.dueSoon', { target: kind, left: timeLeft(t, target.remainingBusinessMinutes) })}</span>`;
  if (!all) return nothing;
  const due = target.dueAt ? formatDateTime(target.dueAt, locale) : '';
  if (target.state === 'running') return html`<span class="badge" part="badge">${t('support.sla.running', { target: kind, left: timeLeft(t, target.remainingBusinessMinutes), due })}</span>`;
  return html`<span class="badge ${target.state}" part="badge">${t(`support.sla.${target.state}`, { target: kind })}</span>`;
}

/** A status as a small coloured label. */
export function statusLabel(t: Translate, status: Ticket['status']): TemplateResult {
  return html`<span class="status status-${status}">${t(`support.status.${status}`)}</span>`;
}

/** The styles of the badges and labels above. */
export const ticketPartStyles = css`
  .badge, .status { display: inline-block; border-radius: 999px; padding: 0.05em 0.6em; font-size: 0.8125em; border: 1px solid var(--_border); white-space: normal; }
  .badge.breached { background: var(--_danger); border-color: transparent; color: var(--_surface); font-weight: 600; }
  .badge.soon { background: #fff4d6; border-color: #e0a100; color: #6b4a00; font-weight: 600; }
  .badge.met { color: var(--_success); }
  .status-new, .status-open { border-color: var(--_primary); color: var(--_primary); }
  .status-solved, .status-closed { color: var(--_text-muted); }
  .priority-urgent, .priority-high { font-weight: 600; }
  .number { font-variant-numeric: tabular-nums; color: var(--_text-muted); }
`;
