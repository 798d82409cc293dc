import { randomBytes } from 'node:crypto';
import { buildApp, type BuildOptions, type CollectorApp } from '../src/app.ts';
import { testConfig, type CollectorConfig } from '../src/config.ts';
import type { ReleasedValue, ValueEstimate } from '../src/release.ts';

export const ADMIN = 'admin-token-0123456789';
export const READ = 'read-token-0123456789';
export const TODAY = new Date().toISOString().slice(0, 10);

const options = (codes: string[]) => codes.map((code) => ({ code, label: code }));

/**
 * The shared test campaign: one question per decoder the collector has — binary RR, GRR, OUE, SUE,
 * OLH, Hadamard, RAPPOR (with cohorts; k = 10 so the hex payload has padding bits), Duchi,
 * Piecewise, Hybrid, and padding-and-sampling over GRR and over OLH. `fever` and `pain` stay first.
 */
export const DEMO_CAMPAIGN = {
  id: 'demo',
  version: 1,
  title: 'Symptom check',
  questions: [
    { id: 'fever', type: 'boolean', prompt: 'Did you have a fever today?', epsilon: 1, minBatch: 5, tier: 'high' },
    { id: 'pain', type: 'categorical', prompt: 'How bad was your pain?', domain: { categories: options(['none', 'mild', 'moderate', 'severe']) }, mechanism: 'grr', epsilon: 2, minBatch: 5, tier: 'moderate' },
    { id: 'mood', type: 'categorical', prompt: 'Mood (0–9)?', domain: { categories: options(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']) }, mechanism: 'oue', epsilon: 1, minBatch: 5, tier: 'moderate' },
    { id: 'energy', type: 'categorical', prompt: 'Energy?', domain: { categories: options(['low', 'medium', 'high']) }, mechanism: 'sue', epsilon: 1, minBatch: 5, tier: 'moderate' },
    { id: 'region', type: 'categorical', prompt: 'Region?', domain: { categories: options(['n', 'e', 's', 'w', 'c', 'x']) }, mechanism: 'olh', epsilon: 1, minBatch: 5, tier: 'moderate' },
    { id: 'diet', type: 'categorical', prompt: 'Diet?', domain: { categories: options(['a', 'b', 'c', 'd', 'e']) }, mechanism: 'hadamard', epsilon: 1, minBatch: 5, tier: 'moderate' },
    {
      id: 'symptom',
      type: 'string',
      prompt: 'Main symptom?',
      domain: { candidates: ['cough', 'headache', 'fatigue'], rappor: { k: 10, h: 2, m: 4, f: 0.5, p: 0.25, q: 0.75 } },
      epsilon: 2.1, // ε₁ = 2·ln(25/9) ≈ 2.04 for these parameters
      minBatch: 5,
      tier: 'low',
    },
    { id: 'sleep', type: 'numeric', prompt: 'Hours of sleep?', domain: { low: 0, high: 12, gridSize: 12 }, mechanism: 'piecewise', epsilon: 2, minBatch: 5, tier: 'low' },
    { id: 'temperature', type: 'numeric', prompt: 'Temperature?', domain: { low: 35, high: 42 }, mechanism: 'duchi', epsilon: 1, minBatch: 5, tier: 'low' },
    { id: 'steps', type: 'numeric', prompt: 'Thousands of steps?', domain: { low: 0, high: 20, gridSize: 20 }, mechanism: 'hybrid', epsilon: 1, minBatch: 5, tier: 'low' },
    { id: 'symptoms', type: 'multiselect', prompt: 'Which did you notice?', domain: { items: options(['cough', 'headache', 'fatigue', 'nausea']), maxItems: 2, inner: 'grr' }, epsilon: 2, minBatch: 5, tier: 'moderate' },
    { id: 'activities', type: 'multiselect', prompt: 'Which did you do?', domain: { items: options(['walk', 'run', 'swim', 'bike', 'yoga']), maxItems: 3, inner: 'olh' }, epsilon: 1, minBatch: 5, tier: 'moderate' },
    // Two-level (longitudinal) decoders: L-GRR, L-OUE, LOLOHA (categorical and string), padding over LOLOHA, alpha-1bit.
    // (Question id `weight` is deliberately absent: hostile-input.test.ts uses it as the unknown question.)
    { id: 'cough-days', type: 'boolean', prompt: 'Coughing today?', mechanism: 'l-grr', epsilon: 1, epsilonPermanent: 2, minBatch: 5, tier: 'moderate' },
    { id: 'appetite', type: 'categorical', prompt: 'Appetite?', domain: { categories: options(['poor', 'fair', 'good', 'great', 'huge']) }, mechanism: 'l-oue', epsilon: 1, epsilonPermanent: 2, minBatch: 5, tier: 'moderate' },
    { id: 'clinic', type: 'categorical', prompt: 'Clinic?', domain: { categories: options(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12']) }, mechanism: 'loloha', epsilon: 1, epsilonPermanent: 3, minBatch: 5, tier: 'moderate' },
    { id: 'drug', type: 'string', prompt: 'Which drug?', domain: { candidates: ['ibuprofen', 'paracetamol', 'aspirin'] }, mechanism: 'loloha', epsilon: 1, epsilonPermanent: 2, minBatch: 5, tier: 'moderate' },
    { id: 'aches', type: 'multiselect', prompt: 'Which aches?', domain: { items: options(['back', 'neck', 'knee']), maxItems: 2, inner: 'loloha' }, epsilon: 1, epsilonPermanent: 2, minBatch: 5, tier: 'moderate' },
    { id: 'body-weight', type: 'numeric', prompt: 'Weight (kg)?', domain: { low: 40, high: 160, levels: 3 }, mechanism: 'alpha-1bit', epsilon: 1, epsilonPermanent: 2, minBatch: 5, tier: 'low' },
  ],
} as const;

export const QUESTION_IDS: readonly string[] = DEMO_CAMPAIGN.questions.map((q) => q.id);

export function reportId(): string {
  return randomBytes(16).toString('hex');
}

export function report(question: string, payload: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: reportId(), questionId: question, day: TODAY, payload, ...extra };
}

export function batch(reports: unknown[], campaign = 'demo', version = 1): Record<string, unknown> {
  return { campaignId: campaign, campaignVersion: version, reports };
}

export async function makeApp(overrides: Partial<CollectorConfig> = {}, options: BuildOptions = {}): Promise<CollectorApp> {
  return buildApp(testConfig({ adminToken: ADMIN, readToken: READ, rateLimitPerMinute: 1_000_000, authFailuresPerMinute: 1_000_000, maxEventLoopDelayMs: 0, ...overrides }), options);
}

/**
 * The app of the seeded coverage tests (estimates-coverage*.slow.test.ts): big batches, `days`
 * of report window behind a fixed clock `now`, and `campaigns` published.
 */
export async function coverageApp(campaigns: readonly object[], days: number, now: Date): Promise<CollectorApp> {
  const app = await makeApp({ maxBatchReports: 1000, bodyLimitBytes: 4 * 1024 * 1024, reportWindowDays: days + 5 }, { now: () => now });
  for (const campaign of campaigns) {
    const published = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: campaign });
    if (published.statusCode !== 201) throw new Error(`coverage campaign not published: ${published.statusCode} ${published.body}`);
  }
  return app;
}

export async function publish(app: CollectorApp, document: unknown = DEMO_CAMPAIGN): Promise<number> {
  const response = await app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: document as object });
  return response.statusCode;
}

export async function post(app: CollectorApp, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
}

export async function totals(app: CollectorApp, question: string): Promise<number[]> {
  const cells = await app.collector.repository.readSums({ campaignId: 'demo', version: 1, questionId: question });
  const out: number[] = [];
  for (const c of cells) out[c.index] = (out[c.index] ?? 0) + c.sum;
  return Array.from(out, (x) => x ?? 0);
}

/** A cell's values, asserting each has an estimate (every mechanism but RAPPOR, whose undetected candidates have none). */
export function estimatedValues(cell: { values?: ReleasedValue[] | undefined }): ValueEstimate[] {
  return (cell.values ?? []).map((v) => {
    if (v.detectable === false) throw new Error(`${v.value}: ${v.note}`);
    return v;
  });
}
