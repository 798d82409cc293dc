import { randomBytes } from 'node:crypto';
import { buildApp, type BuildOptions, type CollectorApp } from '../src/app.ts';
import { testConfig, type CollectorConfig } from '../src/config.ts';

export const ADMIN = 'admin-token-0123456789';
export const READ = 'read-token-0123456789';
export const TODAY = new Date().toISOString().slice(0, 10);

export const DEMO_CAMPAIGN = {
  id: 'demo',
  version: 1,
  title: 'Symptom check',
  questions: [
    { id: 'fever', type: 'boolean', prompt: 'Did you have a fever today?', epsilon: 1, minBatch: 5, tier: 'high' },
    {
      id: 'pain',
      type: 'categorical',
      prompt: 'How bad was your pain?',
      domain: { categories: ['none', 'mild', 'moderate', 'severe'].map((code) => ({ code, label: code })) },
      mechanism: 'grr',
      epsilon: 2,
      minBatch: 5,
      tier: 'moderate',
    },
  ],
} as const;

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
  return buildApp(testConfig({ adminToken: ADMIN, readToken: READ, rateLimitPerMinute: 1_000_000, maxEventLoopDelayMs: 0, ...overrides }), options);
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
