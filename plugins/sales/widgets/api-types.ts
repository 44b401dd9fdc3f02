/**
 * The sales API responses the sales widgets read, derived from the routes' schemas in the
 * OpenAPI document (see `ResponseOf` in peyvand/widgets/runtime).
 */
import type { ResponseOf } from '../../../widgets/runtime/index.js';

/** A sales pipeline with its ordered stages. */
export type Pipeline = ResponseOf<'sales.pipeline.get'>;

/** A deal; `customerName` is null when the customer was deleted or is outside the user's record scope. */
export type Deal = ResponseOf<'sales.deal.get'>;

/** `GET /sales/reports/forecast`. */
export type Forecast = ResponseOf<'sales.report.forecast'>;
