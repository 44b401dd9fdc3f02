/**
 * Deterministic customer data for benchmarks and tests. Customer `i` of seed `s` is always
 * the same customer, whichever process asks and in whichever order, so a benchmark can
 * load a million customers in one process and pick ids or build search queries for them
 * in another without shipping the data around.
 *
 * The data looks like what an Iranian ERP hands over: Persian and Latin names, the Arabic
 * letter variants older systems store (ي for ی, ك for ک), compound surnames written with
 * a ZWNJ, a space or glued together, phones in Persian, Arabic-Indic or ASCII digits and
 * in national or international notation, and e-mail addresses.
 */
import type { CustomerInput } from '../core/customers/customer-types.js';
import { toLatinDigits } from '../core/plugin/persian/digits.js';

/** A customer as an import or ERP sync delivers it. */
export interface GeneratedCustomer {
  source: string;
  externalId: string;
  input: CustomerInput;
}

/** A small, fast, seedable PRNG (mulberry32): values in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator of one customer: its seed mixes the run's seed and the index. */
function rngFor(seed: number, index: number): () => number {
  return prng(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}

const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;

const FA_GIVEN = ['علی', 'محمد', 'حسین', 'رضا', 'مهدی', 'کاظم', 'یاسر', 'کیان', 'یوسف', 'مصطفی', 'سعید', 'کامران', 'بیژن', 'پرویز', 'کوروش', 'زهرا', 'فاطمه', 'مریم', 'سپیده', 'یاسمن', 'نیکی', 'شیرین', 'کیمیا', 'لیلا', 'مینا', 'پریسا', 'سمیرا', 'الهام', 'نرگس', 'آزاده'];
const FA_FAMILY = ['احمدی', 'کریمی', 'رضایی', 'حسینی', 'محمدی', 'موسوی', 'کاظمی', 'یزدانی', 'میرزایی', 'شکیبا', 'تهرانی', 'کرمانی', 'صادقی', 'جعفری', 'نیکخواه', 'قاسمی', 'رحیمی', 'یگانه', 'کیانی', 'اکبری', 'مرادی', 'شریفی', 'زمانی', 'کوهی', 'فرهادی'];
// Compound surnames: stem + suffix, written with ZWNJ, a space or glued («حسین‌زاده»).
const FA_STEMS = ['حسین', 'علی', 'عبدالله', 'کریم', 'یزدان', 'تقی', 'میر', 'نیک'];
const FA_SUFFIXES = ['زاده', 'پور', 'نژاد', 'فر', 'یان'];
const LATIN_GIVEN = ['Sara', 'John', 'Maria', 'Ali', 'Reza', 'Nima', 'Emma', 'Lucas', 'Olivia', 'Noah', 'Darius', 'Leila', 'Kian', 'Anna', 'Omid', 'Yasmin', 'Peter', 'Laura', 'Hamid', 'Elena'];
const LATIN_FAMILY = ['Ahmadi', 'Karimi', 'Smith', 'Johnson', 'Rezaei', 'Muller', 'Rossi', 'Hosseini', 'Garcia', 'Tehrani', 'Novak', 'Brown', 'Kazemi', 'Jensen', 'Moradi', 'Dubois', 'Yazdani', 'Silva', 'Sharifi', 'Kowalski'];
const DOMAINS = ['example.com', 'mail.example.ir', 'shop.example.org', 'erp.example.net'];
const ORG_WORDS_FA = ['بازرگانی', 'صنایع', 'گروه', 'شرکت'];
const ORG_WORDS = ['Trading', 'Industries', 'Group', 'Holding'];
const TAGS = ['vip', 'wholesale', 'retail', 'b2b', 'export', 'تهران', 'کرج', 'اصفهان'];
const OPERATORS = ['912', '935', '919', '901', '938'];
const ZWNJ = '\u200c';

/** Older ERPs store the Arabic letters; about a third of Persian names come that way. */
function arabicVariants(r: () => number, text: string): string {
  return r() < 0.35 ? text.replaceAll('ی', 'ي').replaceAll('ک', 'ك') : text;
}

function compoundSurname(r: () => number): string {
  const joiner = pick(r, [ZWNJ, ZWNJ, ' ', '']);
  return `${pick(r, FA_STEMS)}${joiner}${pick(r, FA_SUFFIXES)}`;
}

function digitsIn(r: () => number, ascii: string): string {
  const style = r();
  if (style < 0.4) return ascii;
  const zero = style < 0.8 ? 0x06f0 : 0x0660; // Persian ۰, else Arabic-Indic ٠
  return ascii.replace(/[0-9]/g, (d) => String.fromCharCode(zero + Number(d)));
}

/** An Iranian mobile in one of the notations people type. */
function phoneOf(r: () => number, index: number): string {
  // A permutation of the index (7919 is coprime with 10^7): spread over the number space
  // like real subscribers, so a 7-digit prefix matches a few hundred customers, not a block.
  const subscriber = String((index * 7919 + 1_234_567) % 10_000_000).padStart(7, '0');
  const national = `0${pick(r, OPERATORS)}${subscriber}`;
  const notation = pick(r, [
    national,
    `${national.slice(0, 4)} ${national.slice(4, 7)} ${national.slice(7)}`,
    `+98 ${national.slice(1, 4)} ${national.slice(4, 7)} ${national.slice(7)}`,
    `0098${national.slice(1)}`,
    `${national.slice(0, 4)}-${national.slice(4)}`,
  ]);
  return digitsIn(r, notation);
}

/**
 * Customer `index` of `seed`: 60% Persian, 40% Latin names; one in ten is an organization.
 * The external id is `c<index>`, unique per index, from source `erp`.
 */
export function customerAt(seed: number, index: number): GeneratedCustomer {
  const r = rngFor(seed, index);
  const persian = r() < 0.6;
  const organization = r() < 0.1;
  let input: CustomerInput;
  if (organization) {
    const name = persian ? arabicVariants(r, `${pick(r, ORG_WORDS_FA)} ${pick(r, FA_FAMILY)}`) : `${pick(r, LATIN_FAMILY)} ${pick(r, ORG_WORDS)}`;
    input = { kind: 'organization', name };
  } else if (persian) {
    const given = arabicVariants(r, pick(r, FA_GIVEN));
    const family = arabicVariants(r, r() < 0.3 ? compoundSurname(r) : pick(r, FA_FAMILY));
    input = { kind: 'person', name: `${given} ${family}`, givenName: given, familyName: family, locale: 'fa' };
  } else {
    const given = pick(r, LATIN_GIVEN);
    const family = pick(r, LATIN_FAMILY);
    input = { kind: 'person', name: `${given} ${family}`, givenName: given, familyName: family, locale: 'en' };
  }
  const local = `${pick(r, LATIN_GIVEN).toLowerCase()}.${pick(r, LATIN_FAMILY).toLowerCase()}${index}`;
  input.emails = [{ value: `${local}@${pick(r, DOMAINS)}`, label: 'work' }];
  input.phones = [{ value: phoneOf(r, index), label: 'mobile' }];
  if (r() < 0.3) input.tags = [pick(r, TAGS)];
  return { source: 'erp', externalId: `c${index}`, input };
}

/** `count` customers starting at index `start`, lazily. */
export function* generateCustomers(options: { seed: number; count: number; start?: number }): Generator<GeneratedCustomer> {
  const start = options.start ?? 0;
  for (let i = start; i < start + options.count; i++) yield customerAt(options.seed, i);
}

/** Code points, so a prefix never cuts a letter in half. */
const prefixOf = (text: string, length: number): string => Array.from(text).slice(0, length).join('');

/**
 * `count` search queries as a user types them into a search box, each built from a real
 * customer among the first `population`: a prefix (3+ letters) of a given name or a
 * surname, written with the other letter variant half the time (the index must fold
 * ي/ی and ك/ک); a full given name plus a surname prefix; an e-mail prefix; or the
 * phone's first digits in another digit style.
 */
export function searchQueries(seed: number, population: number, count: number): string[] {
  const r = prng(seed ^ 0x5eed);
  const out: string[] = [];
  while (out.length < count) {
    const c = customerAt(seed, Math.floor(r() * population)).input;
    const swap = (s: string) => (r() < 0.5 ? s.replaceAll('ی', 'ي').replaceAll('ک', 'ك') : s.replaceAll('ي', 'ی').replaceAll('ك', 'ک'));
    const words = c.name.split(/[\s\u200c]+/).filter(Boolean);
    const kind = r();
    if (kind < 0.45) out.push(swap(prefixOf(pick(r, words), 3 + Math.floor(r() * 3))));
    else if (kind < 0.7 && words.length > 1) out.push(swap(`${words[0]} ${prefixOf(words[words.length - 1]!, 3)}`));
    else if (kind < 0.85) out.push(prefixOf(c.emails![0]!.value, 4 + Math.floor(r() * 6)));
    else out.push(digitsIn(r, prefixOf(toLatinDigits(c.phones![0]!.value).replace(/\D/g, '').replace(/^(00)?98/, '0'), 7)));
  }
  return out;
}
