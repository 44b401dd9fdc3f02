/**
 * Persian as a first-class locale (see docs persian.md): search normalization, digits and numbers,
 * phone keys, national ids, the Jalali calendar and report periods, money.
 *
 * Everything here is pure standard JS + Intl, safe to bundle into browser widgets.
 *
 * @module
 */

export * from './normalize.js';
export * from './digits.js';
export * from './phone.js';
export * from './national-id.js';
export * from './jalali.js';
export * from './money.js';
