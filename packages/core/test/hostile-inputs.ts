/**
 * A shared catalogue of hostile inputs that every wire and campaign validator must reject.
 * Exported for reuse (the collector's route tests and the SDK's campaign checks can import it by
 * path). Each case is either a JS value or raw JSON text (`json`), because some attacks only
 * exist in text: `1e309` parses to Infinity, a `"__proto__"` key becomes an own property.
 */

export interface HostileCase {
  name: string;
  /** Raw JSON text to JSON.parse, or a value passed as is. */
  json?: string;
  value?: unknown;
}

export function materialize(c: HostileCase): unknown {
  return c.json === undefined ? c.value : JSON.parse(c.json);
}

export const FIXED_NOW = new Date('2026-03-15T12:00:00Z');

export function validReport(): Record<string, unknown> {
  return { id: '0123456789abcdef0123456789abcdef', campaignId: 'symptoms', campaignVersion: 1, questionId: 'fever', day: '2026-03-15', payload: 1 };
}

export function validBatch(): Record<string, unknown> {
  return { campaignId: 'symptoms', campaignVersion: 1, reports: [{ id: '0123456789abcdef0123456789abcdef', questionId: 'fever', day: '2026-03-14', payload: 1 }] };
}

export function validCampaign(): Record<string, unknown> {
  return {
    id: 'symptoms',
    version: 1,
    title: 'Daily symptoms',
    questions: [
      { id: 'fever', type: 'boolean', prompt: 'Did you have a fever today?', tier: 'moderate', epsilon: 1 },
      {
        id: 'pain-site',
        type: 'categorical',
        prompt: 'Where is the pain?',
        tier: 'high',
        epsilon: 1,
        domain: { categories: [{ code: 'head', label: 'Head' }, { code: 'chest', label: 'Chest' }, { code: 'back', label: 'Back' }] },
      },
      {
        id: 'symptoms',
        type: 'multiselect',
        prompt: 'Tick every symptom you had',
        tier: 'moderate',
        epsilon: 2,
        domain: { items: [{ code: 'cough', label: 'Cough' }, { code: 'fatigue', label: 'Fatigue' }, { code: 'nausea', label: 'Nausea' }], maxItems: 2 },
      },
      { id: 'pain', type: 'numeric', prompt: 'Pain score 0–10', tier: 'low', epsilon: 2, domain: { low: 0, high: 10 } },
      {
        id: 'medication',
        type: 'string',
        prompt: 'Which medication?',
        tier: 'restricted',
        epsilon: 2.1, // ε₁ of these RAPPOR parameters is 2.0433 (Erlingsson et al. 2014 §4, h = 2)
        domain: { candidates: ['ibuprofen', 'paracetamol'], rappor: { k: 32, h: 2, m: 4, f: 0.5, p: 0.25, q: 0.75 } },
      },
    ],
  };
}

const text = (value: unknown) => JSON.stringify(value);

/** Replaces `"key":<old>` with raw `"key":<raw>` in the JSON of `value` (for Infinity / NaN / __proto__ tricks). */
function withRaw(value: unknown, key: string, raw: string): string {
  const json = text(value);
  const pattern = new RegExp(`"${key}":(-?[0-9.e+]+|"[^"]*"|true|false|null)`);
  if (!pattern.test(json)) throw new Error(`catalogue: no "${key}" in fixture`);
  return json.replace(pattern, `"${key}":${raw}`);
}

function set(base: Record<string, unknown>, path: string[], replacement: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === DELETE) delete node[last];
  else node[last] = replacement;
  return copy;
}
const DELETE = Symbol('delete');

/** Cases every report validator must reject. */
export function hostileReports(): HostileCase[] {
  const r = validReport();
  return [
    { name: 'not an object (null)', value: null },
    { name: 'not an object (array)', value: [r] },
    { name: 'not an object (string)', value: 'report' },
    { name: 'missing id', value: set(r, ['id'], DELETE) },
    { name: 'missing day', value: set(r, ['day'], DELETE) },
    { name: 'missing payload', value: set(r, ['payload'], DELETE) },
    { name: 'extra field', value: { ...r, deviceId: 'abc' } },
    { name: 'extra timestamp field', value: { ...r, timestamp: 1_700_000_000_000 } },
    { name: '__proto__ key in JSON', json: text(r).replace(/^\{/, '{"__proto__":{"admin":true},') },
    { name: 'constructor key', value: { ...r, constructor: { prototype: {} } } },
    { name: 'id uppercase hex', value: { ...r, id: '0123456789ABCDEF0123456789ABCDEF' } },
    { name: 'id too short', value: { ...r, id: '0123456789abcdef' } },
    { name: 'id too long', value: { ...r, id: `${r.id as string}00` } },
    { name: 'id not hex', value: { ...r, id: 'g123456789abcdef0123456789abcdef' } },
    { name: 'id number', value: { ...r, id: 12345 } },
    { name: 'id with newline', value: { ...r, id: '0123456789abcdef0123456789abcde\n' } },
    { name: 'campaignId empty', value: { ...r, campaignId: '' } },
    { name: 'campaignId with slash', value: { ...r, campaignId: '../etc' } },
    { name: 'campaignId too long', value: { ...r, campaignId: 'a'.repeat(65) } },
    { name: 'campaignVersion 0', value: { ...r, campaignVersion: 0 } },
    { name: 'campaignVersion fractional', value: { ...r, campaignVersion: 1.5 } },
    { name: 'campaignVersion string', value: { ...r, campaignVersion: '1' } },
    { name: 'campaignVersion NaN', value: { ...r, campaignVersion: Number.NaN } },
    { name: 'campaignVersion 1e309 (Infinity)', json: withRaw(r, 'campaignVersion', '1e309') },
    { name: 'questionId with space', value: { ...r, questionId: 'pain site' } },
    { name: 'payload NaN', value: { ...r, payload: Number.NaN } },
    { name: 'payload 1e309 (Infinity)', json: withRaw(r, 'payload', '1e309') },
    { name: 'payload -1e309 (−Infinity)', json: withRaw(r, 'payload', '-1e309') },
    { name: 'payload nested object', value: { ...r, payload: { a: { b: 1 } } } },
    { name: 'payload nested arrays', value: { ...r, payload: [[1, 2], [3]] } },
    { name: 'payload huge array', value: { ...r, payload: new Array(100_000).fill(0) } },
    { name: 'payload huge string', value: { ...r, payload: 'A'.repeat(1_000_000) } },
    { name: 'payload array with Infinity', value: { ...r, payload: [1, Number.POSITIVE_INFINITY] } },
    { name: 'payload undefined', value: { ...r, payload: undefined } },
    { name: 'cohort negative', value: { ...r, cohort: -1 } },
    { name: 'cohort fractional', value: { ...r, cohort: 0.5 } },
    { name: 'cohort string', value: { ...r, cohort: '0' } },
    { name: 'cohort 1e309', json: text({ ...r, cohort: 0 }).replace('"cohort":0', '"cohort":1e309') },
    { name: 'day with time', value: { ...r, day: '2026-03-15T10:00:00Z' } },
    { name: 'day impossible date', value: { ...r, day: '2026-02-30' } },
    { name: 'day month 13', value: { ...r, day: '2026-13-01' } },
    { name: 'day before 2000', value: { ...r, day: '1999-12-31' } },
    { name: 'day in the future', value: { ...r, day: '2026-03-16' } },
    { name: 'day far future', value: { ...r, day: '9999-12-31' } },
    { name: 'day as number', value: { ...r, day: 20260315 } },
    { name: 'day unpadded', value: { ...r, day: '2026-3-5' } },
  ];
}

/** Cases every batch validator must reject. */
export function hostileBatches(): HostileCase[] {
  const b = validBatch();
  const report = (b.reports as Record<string, unknown>[])[0]!;
  return [
    { name: 'batch null', value: null },
    { name: 'batch array', value: [b] },
    { name: 'no reports', value: { ...b, reports: [] } },
    { name: 'reports not an array', value: { ...b, reports: report } },
    { name: 'too many reports', value: { ...b, reports: new Array(1001).fill(report) } },
    { name: 'extra batch field', value: { ...b, ip: '10.0.0.1' } },
    { name: 'batch __proto__ key', json: text(b).replace(/^\{/, '{"__proto__":{"polluted":1},') },
    { name: 'report __proto__ key', json: text(b).replace('[{', '[{"__proto__":{"x":1},') },
    { name: 'report repeats campaignId', value: { ...b, reports: [{ ...report, campaignId: 'symptoms' }] } },
    { name: 'report with bad id', value: { ...b, reports: [{ ...report, id: 'nope' }] } },
    { name: 'report in the future', value: { ...b, reports: [report, { ...report, day: '2026-03-16' }] } },
    { name: 'version 1e309', json: withRaw(b, 'campaignVersion', '1e309') },
    { name: 'version negative', value: { ...b, campaignVersion: -1 } },
    { name: 'campaignId missing', value: set(b, ['campaignId'], DELETE) },
    ...hostileTokenBodies().map((c) => ({ name: `token: ${c.name}`, value: { ...b, protocol: 2, reports: [{ ...report, ext: { token: c.value } }] } })),
    { name: 'token on a v1 batch', value: { ...b, reports: [{ ...report, ext: { token: VALID_TOKEN_SHAPE } }] } },
    { name: 'token next to an unknown extension', value: { ...b, protocol: 2, reports: [{ ...report, ext: { token: VALID_TOKEN_SHAPE, level: 'high' } }] } },
    ...hostileReports()
      .filter((c) => c.value !== undefined && typeof c.value === 'object' && c.value !== null && !Array.isArray(c.value))
      .map((c) => {
        const { campaignId: _c, campaignVersion: _v, ...inner } = c.value as Record<string, unknown>;
        return { name: `inside batch: ${c.name}`, value: { ...b, reports: [inner] } };
      })
      .filter((c) => !/campaign/i.test(c.name)),
  ];
}

/** A string of a token's shape (472 base64url characters); not a token any issuer signed. */
export const VALID_TOKEN_SHAPE = `AAI${'A'.repeat(469)}`;

/** Values of `ext.token` the wire schema must refuse (the collector's per-report checks come after). */
export function hostileTokenBodies(): Array<{ name: string; value: unknown }> {
  const t = VALID_TOKEN_SHAPE;
  return [
    { name: 'number', value: 12345 },
    { name: 'null', value: null },
    { name: 'object', value: { token: t } },
    { name: 'array of bytes', value: Array.from({ length: 354 }, () => 0) },
    { name: 'empty string', value: '' },
    { name: 'one character short', value: t.slice(1) },
    { name: 'one character long', value: `${t}A` },
    { name: 'padded base64 (=)', value: `${t.slice(2)}==` },
    { name: 'standard base64 alphabet (+ /)', value: `+/${t.slice(2)}` },
    { name: 'whitespace inside', value: `${t.slice(0, 100)} ${t.slice(101)}` },
    { name: 'trailing newline', value: `${t.slice(1)}\n` },
    { name: 'non-ASCII look-alike', value: `\u0410${t.slice(1)}` },
    { name: 'a megabyte', value: 'A'.repeat(1_000_000) },
    { name: 'hex instead of base64url', value: 'ab'.repeat(354) },
  ];
}

/** Cases every campaign validator must reject. */
export function hostileCampaigns(): HostileCase[] {
  const c = validCampaign();
  const q = (i: number) => (c.questions as Record<string, unknown>[])[i]!;
  const withQuestion = (i: number, question: unknown) => {
    const questions = [...(c.questions as unknown[])];
    questions[i] = question;
    return { ...c, questions };
  };
  return [
    { name: 'campaign null', value: null },
    { name: 'campaign string', value: 'campaign' },
    { name: 'no questions', value: { ...c, questions: [] } },
    { name: 'tokens without origin', value: { ...c, tokens: { issuer: 'portal.example' } } },
    { name: 'tokens issuer with a comma', value: { ...c, tokens: { issuer: 'a.example,b.example', origin: 'collector.example' } } },
    { name: 'tokens origin empty', value: { ...c, tokens: { issuer: 'portal.example', origin: '' } } },
    { name: 'tokens with an unknown field', value: { ...c, tokens: { issuer: 'portal.example', origin: 'collector.example', keys: [] } } },
    { name: 'tokens true', value: { ...c, tokens: true } },
    { name: 'too many questions', value: { ...c, questions: new Array(201).fill(q(0)) } },
    { name: 'missing title', value: set(c, ['title'], DELETE) },
    { name: 'extra campaign field', value: { ...c, owner: 'x' } },
    { name: 'campaign __proto__ key', json: text(c).replace(/^\{/, '{"__proto__":{"isAdmin":true},') },
    { name: 'question __proto__ key', json: text(c).replace('"questions":[{', '"questions":[{"__proto__":{"x":1},') },
    { name: 'version 0', value: { ...c, version: 0 } },
    { name: 'version 1e309', json: withRaw(c, 'version', '1e309') },
    { name: 'bad campaign id', value: { ...c, id: 'a b' } },
    { name: 'duplicate question ids', value: { ...c, questions: [q(0), q(0)] } },
    { name: 'unknown question type', value: withQuestion(0, { ...q(0), type: 'freetext' }) },
    { name: 'unknown mechanism', value: withQuestion(1, { ...q(1), mechanism: 'laplace' }) },
    { name: 'mechanism of another type', value: withQuestion(0, { ...q(0), mechanism: 'piecewise' }) },
    { name: 'unknown tier', value: withQuestion(0, { ...q(0), tier: 'secret' }) },
    { name: 'period month', value: withQuestion(0, { ...q(0), period: 'month' }) },
    { name: 'epsilon 0', value: withQuestion(0, { ...q(0), epsilon: 0 }) },
    { name: 'epsilon negative', value: withQuestion(0, { ...q(0), epsilon: -1 }) },
    { name: 'epsilon NaN', value: withQuestion(0, { ...q(0), epsilon: Number.NaN }) },
    { name: 'epsilon 1e309', json: text(withQuestion(0, { ...q(0), epsilon: 123 })).replace('"epsilon":123', '"epsilon":1e309') },
    { name: 'epsilon 21', value: withQuestion(0, { ...q(0), epsilon: 21 }) },
    { name: 'epsilon string', value: withQuestion(0, { ...q(0), epsilon: '1' }) },
    { name: 'minBatch 0', value: withQuestion(0, { ...q(0), minBatch: 0 }) },
    { name: 'minBatch fractional', value: withQuestion(0, { ...q(0), minBatch: 2.5 }) },
    { name: 'boolean with a domain', value: withQuestion(0, { ...q(0), domain: { categories: [] } }) },
    { name: 'categorical without domain', value: withQuestion(1, set(q(1), ['domain'], DELETE)) },
    { name: 'one category', value: withQuestion(1, { ...q(1), domain: { categories: [{ code: 'a', label: 'A' }] } }) },
    { name: 'duplicate category codes', value: withQuestion(1, { ...q(1), domain: { categories: [{ code: 'a', label: 'A' }, { code: 'a', label: 'B' }] } }) },
    { name: 'category without label', value: withQuestion(1, { ...q(1), domain: { categories: [{ code: 'a' }, { code: 'b', label: 'B' }] } }) },
    { name: 'category extra field', value: withQuestion(1, { ...q(1), domain: { categories: [{ code: 'a', label: 'A', weight: 1 }, { code: 'b', label: 'B' }] } }) },
    { name: 'categories huge', value: withQuestion(1, { ...q(1), domain: { categories: Array.from({ length: 70_000 }, (_, i) => ({ code: `c${i}`, label: 'x' })) } }) },
    { name: 'maxItems above items', value: withQuestion(2, { ...q(2), domain: { ...(q(2).domain as object), maxItems: 4 } }) },
    { name: 'maxItems 0', value: withQuestion(2, { ...q(2), domain: { ...(q(2).domain as object), maxItems: 0 } }) },
    { name: 'numeric low = high', value: withQuestion(3, { ...q(3), domain: { low: 5, high: 5 } }) },
    { name: 'numeric low > high', value: withQuestion(3, { ...q(3), domain: { low: 10, high: 0 } }) },
    { name: 'numeric high 1e309', json: text(withQuestion(3, { ...q(3), domain: { low: 0, high: 777 } })).replace('"high":777', '"high":1e309') },
    { name: 'numeric high NaN', value: withQuestion(3, { ...q(3), domain: { low: 0, high: Number.NaN } }) },
    { name: 'rappor f = 1', value: withQuestion(4, { ...q(4), domain: { ...(q(4).domain as object), rappor: { k: 32, h: 2, m: 4, f: 1, p: 0.25, q: 0.75 } } }) },
    { name: 'rappor q ≤ p', value: withQuestion(4, { ...q(4), domain: { ...(q(4).domain as object), rappor: { k: 32, h: 2, m: 4, f: 0.5, p: 0.75, q: 0.25 } } }) },
    { name: 'rappor google-py k > 32', value: withQuestion(4, { ...q(4), domain: { ...(q(4).domain as object), rappor: { k: 64, h: 2, m: 4, f: 0.5, p: 0.25, q: 0.75, mode: 'google-py' } } }) },
    { name: 'rappor leaks more than epsilon', value: withQuestion(4, { ...q(4), epsilon: 0.1 }) },
    // Each field within the schema's range, the product not servable (MAX_QUESTION_CELLS, MAX_RAPPOR_CANDIDATE_POSITIONS).
    { name: 'rappor k = 4096, m = 4096 (16,781,313 cells a day)', value: withQuestion(4, { ...q(4), epsilon: 5, domain: { ...(q(4).domain as object), rappor: { k: 4096, h: 2, m: 4096, f: 0.5, p: 0.5, q: 0.75 } } }) },
    { name: 'rappor k = 4096, m = 32 (one cohort above the cell limit)', value: withQuestion(4, { ...q(4), epsilon: 5, domain: { ...(q(4).domain as object), rappor: { k: 4096, h: 2, m: 32, f: 0.5, p: 0.5, q: 0.75 } } }) },
    { name: 'rappor 10,000 candidates × 1,000 cohorts × 2 hashes to decode', value: withQuestion(4, { ...q(4), epsilon: 5, domain: { candidates: Array.from({ length: 10_000 }, (_, i) => `s${i}`), rappor: { k: 64, h: 2, m: 1000, f: 0.5, p: 0.5, q: 0.75 } } }) },
    { name: 'duplicate candidates', value: withQuestion(4, { ...q(4), domain: { ...(q(4).domain as object), candidates: ['a', 'a'] } }) },
    { name: 'prompt empty', value: withQuestion(0, { ...q(0), prompt: '' }) },
    { name: 'prompt huge', value: withQuestion(0, { ...q(0), prompt: 'x'.repeat(100_000) }) },
    { name: 'ε too small for k at 2^-32 resolution', value: withQuestion(1, { ...q(1), mechanism: 'grr', epsilon: 1e-12 }) },
  ];
}

/**
 * Hostile query-string values and path segments for the collector's routes (issue 16: two 500s
 * hid in parameters, not bodies). `encoded` is the raw text after `name=` (or the raw path
 * segment), already percent-encoded as a client or proxy might send it — invalid UTF-8 and lone
 * `%` included. Every route must answer them with a typed 4xx (or, where a value happens to be
 * valid, a normal answer), never a 5xx, and change nothing.
 */
export const HOSTILE_QUERY_VALUES: ReadonlyArray<{ name: string; encoded: string }> = [
  { name: 'empty', encoded: '' },
  { name: 'NUL', encoded: '%00' },
  { name: 'NUL inside', encoded: 'de%00mo' },
  { name: 'control characters', encoded: '%01%1F%7F' },
  { name: 'newline (header injection)', encoded: 'a%0D%0ASet-Cookie:%20x=1' },
  { name: 'emoji', encoded: '%F0%9F%92%A9' },
  { name: 'right-to-left override', encoded: '%E2%80%AEtxt.exe' },
  { name: 'lone surrogate (invalid UTF-8)', encoded: '%ED%A0%80' },
  { name: 'invalid UTF-8 byte', encoded: '%FF%FE' },
  { name: 'lone percent', encoded: '%' },
  { name: 'bad percent escape', encoded: '%zz' },
  { name: 'plus as space', encoded: '+1+' },
  { name: 'huge (20,000 characters)', encoded: 'x'.repeat(20_000) },
  { name: 'huge number', encoded: '9'.repeat(400) },
  { name: 'negative', encoded: '-1' },
  { name: 'zero', encoded: '0' },
  { name: 'float', encoded: '1.5' },
  { name: 'exponent', encoded: '1e3' },
  { name: '1e309', encoded: '1e309' },
  { name: 'NaN', encoded: 'NaN' },
  { name: 'Infinity', encoded: 'Infinity' },
  { name: 'hex number', encoded: '0x10' },
  { name: 'leading zeros', encoded: '0001' },
  { name: 'leading space', encoded: '%201' },
  { name: '2^31', encoded: '2147483648' },
  { name: '2^53 + 1', encoded: '9007199254740993' },
  { name: 'impossible day', encoded: '2026-13-45' },
  { name: 'day 40', encoded: '2026-13-40' },
  { name: '30 February', encoded: '2026-02-30' },
  { name: 'year 0', encoded: '0000-01-01' },
  { name: 'day with time', encoded: '2026-03-15T00:00:00Z' },
  { name: 'five-digit year', encoded: '20260-01-01' },
  { name: 'SQL', encoded: "'%20OR%201=1;--" },
  { name: 'JSON object', encoded: '%7B%22a%22:1%7D' },
  { name: '__proto__', encoded: '__proto__' },
  { name: 'upper case', encoded: 'TOTAL' },
];

/** How a parameter can be repeated or structured in a query string (qs-style arrays and objects included). */
export function hostileQueryShapes(name: string): ReadonlyArray<{ name: string; query: string }> {
  return [
    { name: `${name} repeated`, query: `${name}=a&${name}=b` },
    { name: `${name} repeated, same value`, query: `${name}=1&${name}=1` },
    { name: `${name}[] array`, query: `${name}[]=1&${name}[]=2` },
    { name: `${name}[0] indexed`, query: `${name}[0]=1` },
    { name: `${name}[a] object`, query: `${name}[a]=1` },
    { name: `${name} without =`, query: name },
    { name: `${name}= twice in one value`, query: `${name}=a=b` },
    { name: `__proto__[${name}]`, query: `__proto__[${name}]=1` },
    { name: `constructor[prototype][${name}]`, query: `constructor[prototype][${name}]=1` },
  ];
}

/** Path segments for a route parameter such as a campaign id. */
export const HOSTILE_PATH_SEGMENTS: ReadonlyArray<{ name: string; encoded: string }> = [
  ...HOSTILE_QUERY_VALUES.filter((v) => v.encoded !== ''),
  { name: 'encoded slash', encoded: 'a%2Fb' },
  { name: 'dot dot', encoded: '..' },
  { name: 'encoded dot dot', encoded: '%2E%2E' },
  { name: 'id of 65 characters', encoded: 'a'.repeat(65) },
  { name: 'encoded question mark', encoded: 'demo%3Fversion=1' },
  { name: 'encoded hash', encoded: 'demo%23x' },
];
