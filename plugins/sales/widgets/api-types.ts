/**
 * The sales API responses the sales widgets read (see /api/v1/openapi.json, `sales` tag).
 */

/** A sales pipeline with its ordered stages. */
export interface Pipeline {
  id: string;
  name: string;
  currency: string;
  stages: Array<{ id: string; name: string; probability: number }>;
}

/** A deal. */
export interface Deal {
  id: string;
  title: string;
  customerId: string;
  /** Null when the customer was deleted or is outside the user's record scope. */
  customerName: string | null;
  pipelineId: string;
  stageId: string;
  amount: number;
  currency: string;
  expectedCloseDate?: string;
  ownerId?: string;
  status: 'open' | 'won' | 'lost';
  version: number;
}

/** `GET /sales/reports/forecast`. */
export interface Forecast {
  currency: string;
  timeZone: string;
  calendar: 'gregorian' | 'persian';
  period: 'month' | 'quarter';
  periods: Array<{ key: string; label: string; start: string; end: string; weighted: number; total: number; count: number }>;
}
