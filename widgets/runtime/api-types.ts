/**
 * The shapes of Peyvand's API responses the widgets read (see /api/v1/openapi.json).
 * The widgets speak HTTP; these describe what comes over it, not the server's types.
 */

/** A customer (`GET /customers/{id}`). */
export interface Customer {
  id: string;
  kind: 'person' | 'organization';
  name: string;
  givenName?: string;
  familyName?: string;
  organizationId?: string;
  emails: Array<{ value: string; label?: string }>;
  phones: Array<{ value: string; label?: string }>;
  addresses: Array<{ line1: string; line2?: string; city?: string; region?: string; postalCode?: string; country?: string }>;
  tags: string[];
  locale?: string;
  ownerId?: string;
  externalRefs: Array<{ source: string; id: string }>;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** A page of a list. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Interaction channels of the timeline. */
export const TIMELINE_CHANNELS = ['email', 'phone', 'sms', 'chat', 'web', 'social', 'in_person', 'erp', 'note'] as const;
/** A timeline channel. */
export type TimelineChannel = (typeof TIMELINE_CHANNELS)[number];

/** A timeline entry. */
export interface TimelineEntry {
  id: string;
  customerId: string;
  channel: TimelineChannel;
  direction: 'inbound' | 'outbound' | null;
  summary: string;
  occurredAt: string;
  actor: string | null;
  source: string;
  createdAt: string;
}
