import t from 'tap';
import { namesMatch, normalizeEmail, normalizeSearchText, searchTokens } from '../../../core/plugin/persian/normalize.js';

t.test('persian.md vectors: Arabic yeh/kaf and ZWNJ forms meet', async (t) => {
  t.equal(normalizeSearchText('علي'), 'علی');
  t.equal(normalizeSearchText('علي'), normalizeSearchText('علی'));
  t.equal(normalizeSearchText('كريمي'), 'کریمی');
  t.ok(namesMatch('علي', 'علی'));
  t.ok(namesMatch('كريمي', 'کریمی'));
  t.equal(normalizeSearchText('می\u200Cدانم'), 'میدانم');
  t.equal(normalizeSearchText('می\u200Cدانم'), normalizeSearchText('میدانم'));
  t.ok(namesMatch('می\u200Cدانم', 'میدانم'));
});

t.test('each row of the normalization table', async (t) => {
  t.equal(normalizeSearchText('\u0649'), '\u06CC', 'alef maksura → ی');
  t.equal(normalizeSearchText('\u064A'), '\u06CC', 'Arabic yeh → ی');
  t.equal(normalizeSearchText('\u0643'), '\u06A9', 'Arabic kaf → ک');
  t.equal(normalizeSearchText('خانۀ'), 'خانه', 'ۀ → ه, word kept');
  t.equal(normalizeSearchText('مدرسة'), 'مدرسه', 'ة → ه');
  t.equal(normalizeSearchText('أحمد إبراهيم آرش ٱلله'), 'احمد ابراهیم ارش الله', 'hamza/madda/wasla variants → ا');
  t.equal(normalizeSearchText('۰۱۲۳۴۵۶۷۸۹ ٠١٢٣٤٥٦٧٨٩'), '0123456789 0123456789', 'Persian and Arabic-Indic digits');
  t.equal(normalizeSearchText('می\u200Dدانم'), 'میدانم', 'ZWJ removed');
  t.equal(normalizeSearchText('مـــحمد'), 'محمد', 'tatweel removed');
  t.equal(normalizeSearchText('مُحَمَّدٌ'), 'محمد', 'harakat removed');
  t.equal(normalizeSearchText('رحمٰن'), 'رحمن', 'superscript alef U+0670 removed');
  t.equal(normalizeSearchText('José MÜLLER Ångström'), 'jose muller angstrom', 'Latin accents and case');
  t.equal(normalizeSearchText('Straße'), normalizeSearchText('STRASSE'), 'ß folds like SS');
  t.equal(normalizeSearchText('İstanbul'), 'istanbul', 'dotted capital I');
  t.equal(normalizeSearchText('GROẞ'), 'gross', 'capital sharp s folds in one pass');
  t.equal(normalizeSearchText('ᴬB'), 'ab', 'capitals produced by NFKD are folded too');
});

t.test('bidi controls, presentation forms and separators', async (t) => {
  const bidi = '\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u061C';
  t.equal(normalizeSearchText(`${bidi}سلام${bidi}`), 'سلام');
  t.equal(normalizeSearchText(`سل${bidi}ام`), 'سلام', 'controls inside a word do not split it');
  t.equal(normalizeSearchText('\uFECB\uFEE0\uFEF2'), 'علی', 'Arabic presentation forms (PDF copy/paste)');
  t.equal(normalizeSearchText('Ｆｕｌｌ ﬁle'), 'full file', 'full-width and ligatures');
  t.equal(normalizeSearchText('  hello,   world!! -- «سلام» '), 'hello world سلام');
  t.equal(normalizeSearchText('a\t\nb\u00A0c'), 'a b c');
  t.equal(normalizeSearchText('a_b.c@d'), 'a b c d');
  t.equal(normalizeSearchText(''), '');
  t.equal(normalizeSearchText(' !?… '), '');
  t.equal(normalizeSearchText('पुस्तक'), 'पुस्तक', 'combining vowel signs of other scripts stay inside the word');
});

t.test('a real space is not a ZWNJ', async (t) => {
  t.equal(normalizeSearchText('می دانم'), 'می دانم');
  t.notOk(namesMatch('می دانم', 'میدانم'));
});

const SAMPLES = [
  'علي', 'كريمي', 'می\u200Cدانم', 'خانۀ', 'مدرسة', 'آرش', 'Straße', 'İİ', 'ΟΔΟΣ', 'ǰ', 'ﻛﺮﻳﻤﻲ',
  '\uFBA4', 'ﷲ', '۱۲۳', 'José', 'Ⅻ', '²', '  x  ', 'ŉ', 'ﬃ', 'ς', 'ΐ', 'ẞ', 'ᴬ', 'ϒ', 'ℌ',
];

t.test('idempotent on samples and on random strings', async (t) => {
  for (const s of SAMPLES) {
    const once = normalizeSearchText(s);
    t.equal(normalizeSearchText(once), once, `idempotent for ${JSON.stringify(s)}`);
  }
  const pool = [...SAMPLES.join(''), '\u200C', '\u0640', '\u064E', ' ', '-', 'A', 'é', '\u0301', 'ة', 'ى', '٣', '\u200F', 'ẞ', 'ǅ'];
  let seed = 42;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  let failures = 0;
  for (let i = 0; i < 2000; i++) {
    let s = '';
    for (let k = rnd(12); k >= 0; k--) s += pool[rnd(pool.length)] ?? '';
    const once = normalizeSearchText(s);
    if (normalizeSearchText(once) !== once) failures++;
  }
  t.equal(failures, 0, 'no random string changes on a second pass');
});

t.test('searchTokens', async (t) => {
  t.same(searchTokens('علي  كريمي، علی'), ['علی', 'کریمی'], 'normalized duplicates removed, order kept');
  t.same(searchTokens('b a b c a'), ['b', 'a', 'c']);
  t.same(searchTokens('می\u200Cدانم'), ['میدانم']);
  t.same(searchTokens(''), []);
  t.same(searchTokens(' , ; '), []);
});

t.test('normalizeEmail only trims and lower-cases', async (t) => {
  t.equal(normalizeEmail('  Ali.Karimi+CRM@Example.COM \n'), 'ali.karimi+crm@example.com');
  t.equal(normalizeEmail('a.b@gmail.com'), 'a.b@gmail.com', 'dots are not removed');
  t.equal(normalizeEmail(''), '');
});

t.test('namesMatch', async (t) => {
  t.ok(namesMatch('  ALI  karimi ', 'Ali Karimi'));
  t.notOk(namesMatch('علی', 'علیرضا'));
  t.notOk(namesMatch('Ali Karimi', 'Karimi Ali'), 'word order matters');
  t.notOk(namesMatch('', ''), 'blank names are not a match');
  t.notOk(namesMatch('!!', '--'), 'punctuation-only names are not a match');
});
