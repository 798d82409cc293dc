/**
 * The planner at publish time (issue 14 §3, src/plan.ts): the publish envelope's `plan` answers
 * with core's planCampaign; strict mode refuses (nothing stored) while a warning stands; bad plan
 * input is a 400 naming the field and stores nothing.
 */
import { planCampaign } from '@practical-privacy/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectorApp } from '../src/app.ts';
import { formatPlanTable } from '../src/plan.ts';
import { ADMIN, DEMO_CAMPAIGN, makeApp } from './helpers.ts';

async function publish(app: CollectorApp, body: unknown) {
  return app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${ADMIN}` }, payload: body as object });
}

describe('publish with a plan', () => {
  let app: CollectorApp;
  beforeEach(async () => {
    app = await makeApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('answers with the planner\'s prediction for every question, the same as core computes', async () => {
    const response = await publish(app, { campaign: DEMO_CAMPAIGN, plan: { patients: 300 } });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({ id: 'demo', version: 1, outcome: 'created' });
    expect(body.plan).toEqual(JSON.parse(JSON.stringify(planCampaign(DEMO_CAMPAIGN, { patients: 300 }))));
    expect(body.plan.questions.map((q: { questionId: string }) => q.questionId)).toEqual(DEMO_CAMPAIGN.questions.map((q) => q.id));
  });

  it('strict mode refuses a campaign with warnings (422 PLAN_INSUFFICIENT, the clinic-facing reason) and stores nothing', async () => {
    const response = await publish(app, { campaign: DEMO_CAMPAIGN, plan: { patients: 4, strict: true } });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('PLAN_INSUFFICIENT');
    expect(response.json().error.message).toContain('withheld');
    expect((await app.inject('/v1/campaigns/demo')).statusCode).toBe(404);
    // Enough patients: no warning, strict publishes.
    const enough = await publish(app, { campaign: DEMO_CAMPAIGN, plan: { patients: 100_000, strict: true } });
    expect(enough.json().plan.warnings).toEqual([]);
    expect(enough.statusCode).toBe(201);
  });

  it('bad plan input is 400 naming the field, and nothing is published', async () => {
    const cases: [unknown, string][] = [
      [{ patients: 0 }, 'plan.patients'],
      [{ patients: 1.5 }, 'plan.patients'],
      [{ patients: '300' }, 'plan.patients'],
      [[300], 'plan'],
      [{ patients: 300, strict: 'yes' }, 'plan.strict'],
      [{ patients: 300, extra: 1 }, 'plan.extra'],
      [{ patients: 300, targets: { nope: 0.1 } }, 'plan.targets.nope'],
      [{ patients: 300, targets: { [DEMO_CAMPAIGN.questions[0]!.id]: 2 } }, `plan.targets.${DEMO_CAMPAIGN.questions[0]!.id}`],
      [{ patients: 300, targets: { x: 'wide' } }, 'plan.targets.x'],
    ];
    for (const [plan, path] of cases) {
      const response = await publish(app, { campaign: DEMO_CAMPAIGN, plan });
      expect(response.statusCode, JSON.stringify(plan)).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'REQUEST_INVALID', path });
    }
    expect((await app.inject('/v1/campaigns/demo')).statusCode).toBe(404);
  });

  it('the table names every question and prints the warnings', () => {
    const table = formatPlanTable(planCampaign(DEMO_CAMPAIGN, { patients: 10 }));
    for (const q of DEMO_CAMPAIGN.questions) expect(table).toContain(q.id);
    expect(table).toContain('warning: ');
  });

  it('the table says what level mix a question with privacy levels was planned at, and the strictest level\'s ±', () => {
    const question = { prompt: 'Low mood?', tier: 'moderate', type: 'boolean', epsilon: 2, epsilonPermanent: 4, levels: [2, 0.5] };
    const campaign = { id: 'levels', version: 1, title: 'Levels', questions: [{ id: 'chosen', ...question }, { id: 'drawn', ...question, levelPolicy: { assignment: 'random', weights: [7, 3] } }] };
    const plan = planCampaign(campaign, { patients: 1000 });
    const table = formatPlanTable(plan).split('\n');
    // n = 1,000: ±4.1 points at the default, ±7.7 with levels drawn 7:3, ±12.7 all at ε₁ = 0.5 (core's planner).
    expect(table).toContain('levels: chosen: the ± assumes every report at the default level (patients may choose stricter ones); every report at the strictest level: ±12.7 pts');
    expect(table).toContain('levels: drawn: the ± assumes levels drawn at random (70% / 30%); every report at the strictest level: ±12.7 pts');
    expect(table.find((l) => l.startsWith('drawn'))).toContain('±7.7 pts');
    expect(table.find((l) => l.startsWith('chosen'))).toContain('±4.1 pts');
  });
});
