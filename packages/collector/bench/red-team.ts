/**
 * Red-team benchmark (issue 17 §3), a step of `pnpm bench`: poisoning attacks sent through the
 * collector's HTTP API (a collector child process on SQLite, the public POST /v1/reports), then the
 * read API's estimates with and without `defence=ldprecover`, seeded and repeated.
 *
 * Each repetition is one campaign with five questions over 16 categories — OUE, SUE, OLH and GRR
 * at ε = 1, and a RAPPOR string question (k = 32 bits, h = 2, 16 cohorts, f = 0.5, p = 0.25,
 * q = 0.75) — and 15 UTC days (29 in full runs: 14 more honest days, for the false-alarm rate) of
 * N honest patients each (every patient answers every question):
 *   3 honest days; 3 outbreak days (the share of one answer rises to 40%, 60%, 80% — what a health
 *   system most wants to see, which must not be flagged); 9 attacked days = 3 attacks × 3 shares of
 *   fake users (1%, 5%, 10% of the day's reports), every fake user attacking every question with one
 *   target (answer s5, or the RAPPOR candidate "target"; its honest share is 2%):
 *   - MGA, the maximal-gain attack (Cao, Jia, Gong, USENIX Security 2021): unary encodings get only
 *     the target bit set, RAPPOR only the target's Bloom bits for the report's cohort, OLH a random
 *     seed with the target's bucket, GRR the target;
 *   - random-item (Cao et al.'s RIA): the target randomized honestly by the mechanism;
 *   - adaptive: knows the detector — draws its set-bit count from the honest law, sets the target
 *     bit(s) and fills the rest at random (unary encodings, RAPPOR); as MGA elsewhere.
 * Figures: detection rate of attacked (question, day) cells (target ≥ 90% for MGA at 5% on the
 * mechanisms where detection is possible), false alarms on honest and outbreak cells (target
 * ≤ 1%), the target's gain without defence, with recovery, and with tokens (the attacker holds 1% of
 * the accounts: the MGA gain at 1%, since tokens cap it at one report per held account per question
 * and period; the token path itself is tested in test/privacy-pass.test.ts, not re-run here), and
 * honest-data accuracy with the defence on (share of honest values within the planner's 95%
 * half-width of the truth; nominal 95%).
 *
 * `--quick` (CI): 2 repetitions of N = 600; full: 10 of N = 1,000. Exits non-zero only on a crash
 * or an HTTP refusal, not on a missed target (the verdict is in the results).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  RandomSampler,
  addDays,
  bloomBitIndices,
  createQuestionMechanism,
  plan,
  seededRandomSource,
  setBitModel,
  validateCampaign,
  type OptimizedLocalHashing,
  type Question,
  type Rappor,
  type SetBitModel,
} from '@practical-privacy/core';
import { isQuick, printFigures, writeStep, type Figure } from '../../core/bench/results.ts';
import type { EstimateRelease } from '../src/release.ts';
import { closeAgent, request, startCollector } from './processes.ts';
import { ADMIN_TOKEN, READ_TOKEN } from './workload.ts';

const REPS = isQuick ? 2 : 10;
const N = isQuick ? 600 : 1000;
const FRACTIONS = [0.01, 0.05, 0.1] as const;
const ATTACKS = ['mga', 'random-item', 'adaptive'] as const;
type Attack = (typeof ATTACKS)[number];
const MECHANISMS = ['oue', 'sue', 'olh', 'grr', 'rappor'] as const;
type Mech = (typeof MECHANISMS)[number];
const DETECTABLE: readonly Mech[] = ['oue', 'sue', 'rappor'];
const K = 16;
const TARGET = 5;
const TARGET_SHARE = 0.02;
const OUTBREAK_VALUE = 2;
const OUTBREAK_SHARES = [0.4, 0.6, 0.8];
const CANDIDATES = Array.from({ length: K }, (_, i) => (i === TARGET ? 'target' : `drug-${i}`));
const TODAY = new Date().toISOString().slice(0, 10);
const BATCH = 1000;
/** Honest days beyond the first 15 (full runs only): 29 days in all, inside the 30-day report window. */
const EXTRA_HONEST_DAYS = isQuick ? 0 : 14;

const started = performance.now();
const log = (line: string) => process.stderr.write(`  red-team [${((performance.now() - started) / 1000).toFixed(1)} s]: ${line}\n`);

const codes = Array.from({ length: K }, (_, i) => ({ code: `s${i}`, label: `S${i}` }));
function campaignDocument(id: string) {
  const categorical = (mechanism: string) => ({ id: mechanism, type: 'categorical', prompt: `Symptom (${mechanism})?`, tier: 'moderate', epsilon: 1, minBatch: 20, mechanism, domain: { categories: codes } });
  return {
    id,
    version: 1,
    title: 'Red team',
    questions: [
      categorical('oue'),
      categorical('sue'),
      categorical('olh'),
      categorical('grr'),
      { id: 'rappor', type: 'string', prompt: 'Which drug?', tier: 'low', epsilon: 2.1, minBatch: 20, domain: { candidates: CANDIDATES, rappor: { k: 32, h: 2, m: 16, f: 0.5, p: 0.25, q: 0.75 } } },
    ],
  };
}

interface DayPlan {
  day: string;
  kind: 'honest' | 'outbreak' | 'attacked';
  attack?: Attack;
  fraction?: number;
  outbreakShare?: number;
}

function dayPlans(): DayPlan[] {
  const plans: DayPlan[] = [];
  let d = 1;
  for (let i = 0; i < 3; i++) plans.push({ day: addDays(TODAY, -d++), kind: 'honest' });
  for (const share of OUTBREAK_SHARES) plans.push({ day: addDays(TODAY, -d++), kind: 'outbreak', outbreakShare: share });
  for (const attack of ATTACKS) for (const fraction of FRACTIONS) plans.push({ day: addDays(TODAY, -d++), kind: 'attacked', attack, fraction });
  // Full runs: more honest days after those (the window accepts 30), so the false-alarm rate rests on more cells.
  for (let i = 0; i < EXTRA_HONEST_DAYS; i++) plans.push({ day: addDays(TODAY, -d++), kind: 'honest' });
  return plans;
}

/** An honest patient's answer index: the target at 2%, the outbreak value at its share, the rest uniform. */
function answer(rng: RandomSampler, plan: DayPlan): number {
  const u = rng.uniformInt(1_000_000) / 1_000_000;
  if (u < TARGET_SHARE) return TARGET;
  if (plan.kind === 'outbreak' && u < TARGET_SHARE + plan.outbreakShare!) return OUTBREAK_VALUE;
  let v = rng.uniformInt(K - 1);
  if (v >= TARGET) v++;
  return v;
}

function hexId(rng: RandomSampler): string {
  let s = '';
  for (let i = 0; i < 4; i++) s += rng.uint32().toString(16).padStart(8, '0');
  return s;
}

/** A count drawn from the honest set-bit law (the adaptive attacker's one piece of knowledge). */
function honestCount(model: SetBitModel, rng: RandomSampler): number {
  const pmf = model.components[model.components.length - 1]!;
  let u = rng.uniformInt(2 ** 30) / 2 ** 30;
  let j = 0;
  while (j < pmf.length - 1 && u >= pmf[j]!) u -= pmf[j++]!;
  return j;
}

type Wire = { id: string; questionId: string; day: string; payload: unknown; cohort?: number };

class Question5 {
  readonly mechanisms: Record<Mech, { randomize(input: never, rng: RandomSampler): unknown; encodeReport(report: never): { payload: unknown; cohort?: number } }>;
  readonly models: Partial<Record<Mech, SetBitModel>> = {};
  constructor(readonly campaignId: string) {
    const questions = validateCampaign(campaignDocument(campaignId)).questions as Question[];
    this.mechanisms = Object.fromEntries(questions.map((q) => [q.id, createQuestionMechanism(q, { campaignId })])) as never;
    for (const m of MECHANISMS) {
      const model = setBitModel(this.mechanisms[m] as never);
      if (model !== undefined) this.models[m] = model;
    }
  }

  /** Honest-only sums per (mechanism, day), for the paired baseline of the gain (not RAPPOR: its estimate needs the decoding). */
  readonly honestSums = new Map<string, Float64Array>();

  honest(m: Mech, value: number, rng: RandomSampler, day: string, baseline = false): Wire {
    const mechanism = this.mechanisms[m];
    let report: unknown;
    if (m === 'rappor') {
      const secret = new Uint8Array(16);
      for (let i = 0; i < 16; i++) secret[i] = rng.uniformInt(256);
      report = mechanism.randomize({ value: CANDIDATES[value]!, cohort: rng.uniformInt(16), secret } as never, rng);
    } else report = mechanism.randomize(value as never, rng);
    if (baseline && m !== 'rappor') {
      const full = mechanism as unknown as { sumsLength: number; contribute(r: unknown, cells: { add(i: number, d: number): void }): void };
      const key = `${m} ${day}`;
      let sums = this.honestSums.get(key);
      if (sums === undefined) this.honestSums.set(key, (sums = new Float64Array(full.sumsLength)));
      const target = sums;
      full.contribute(report, { add: (i, d) => (target[i]! += d) });
    }
    return { id: hexId(rng), questionId: m, day, ...mechanism.encodeReport(report as never) };
  }

  /** The respondents' estimate of the honest reports alone: what the released value would be without the fakes. */
  honestEstimate(m: Mech, day: string): number[] | undefined {
    const sums = this.honestSums.get(`${m} ${day}`);
    if (sums === undefined) return undefined;
    return (this.mechanisms[m] as unknown as { estimate(s: Float64Array, e: string): { values: number[] } }).estimate(sums, 'respondents').values;
  }

  fake(m: Mech, attack: Attack, rng: RandomSampler, day: string): Wire {
    if (attack === 'random-item') return this.honest(m, TARGET, rng, day);
    const mechanism = this.mechanisms[m];
    let report: unknown;
    if (m === 'oue' || m === 'sue') {
      const bits = new Set([TARGET]);
      if (attack === 'adaptive') {
        const count = honestCount(this.models[m]!, rng);
        while (bits.size < count) bits.add(rng.uniformInt(K));
      }
      const packed = new Uint8Array(Math.ceil(K / 8));
      for (const b of bits) packed[b >> 3]! |= 1 << (b & 7);
      report = packed;
    } else if (m === 'rappor') {
      const rappor = mechanism as unknown as Rappor;
      const cohort = rng.uniformInt(16);
      const bits = new Set(bloomBitIndices(rappor.encoding, 'target', cohort));
      if (attack === 'adaptive') {
        const count = honestCount(this.models.rappor!, rng);
        while (bits.size < count) bits.add(rng.uniformInt(rappor.k));
      }
      const out = new Uint8Array(rappor.k);
      for (const b of bits) out[b] = 1;
      report = { cohort, bits: out };
    } else if (m === 'olh') {
      const olh = mechanism as unknown as OptimizedLocalHashing;
      const seed = rng.uint32();
      report = { seed, y: olh.hash(seed, TARGET) };
    } else report = TARGET;
    return { id: hexId(rng), questionId: m, day, ...mechanism.encodeReport(report as never) };
  }
}

interface CellResult {
  rep: number;
  mech: Mech;
  plan: DayPlan;
  truth: number[];
  /** The estimate of the honest reports alone (paired baseline of the gain); the truth for RAPPOR. */
  baseline: number[];
  status: string | undefined;
  score: number | null;
  /** The targets the recovery named, when it removed anything. */
  named: string[];
  plain: number[];
  defended: number[];
  n: number;
}

function valuesOf(release: EstimateRelease, day: string, labels: readonly string[]): { status: string | undefined; score: number | null; values: number[]; n: number; named: string[] } {
  const cell = release.cells.find((c) => c.period === day);
  if (cell === undefined || cell.suppressed) throw new Error(`no released cell for ${release.question} on ${day}`);
  const byLabel = new Map((cell.values ?? []).map((v) => [v.value, v.unbiased ?? 0]));
  return { status: cell.integrity?.status, score: cell.integrity?.score ?? null, values: labels.map((l) => byLabel.get(l) ?? 0), n: cell.n, named: cell.recovery?.targets ?? [] };
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'pp-red-team-'));
  const collector = await startCollector(`sqlite:${path.join(workDir, 'red-team.db')}`);
  const cells: CellResult[] = [];
  let reportsSent = 0;
  try {
    for (let rep = 0; rep < REPS; rep++) {
      const campaignId = `redteam-${rep}`;
      const published = await request('POST', `${collector.url}/v1/campaigns`, { authorization: `Bearer ${ADMIN_TOKEN}` }, JSON.stringify(campaignDocument(campaignId)));
      if (published.status !== 201) throw new Error(`publish: ${published.status} ${published.text}`);
      const model = new Question5(campaignId);
      const rng = new RandomSampler(seededRandomSource(`red-team ${rep}`));
      const plans = dayPlans();
      const truths = new Map<string, number[]>();
      const reports: Wire[] = [];
      for (const plan of plans) {
        const counts = new Array<number>(K).fill(0);
        for (let i = 0; i < N; i++) {
          const v = answer(rng, plan);
          counts[v]!++;
          for (const m of MECHANISMS) reports.push(model.honest(m, v, rng, plan.day, true));
        }
        truths.set(plan.day, counts.map((c) => c / N));
        if (plan.kind === 'attacked') {
          const fakes = Math.round((N * plan.fraction!) / (1 - plan.fraction!));
          for (let i = 0; i < fakes; i++) for (const m of MECHANISMS) reports.push(model.fake(m, plan.attack!, rng, plan.day));
        }
      }
      // Shuffled, so fake and honest reports arrive interleaved in ordinary-sized batches.
      for (let i = reports.length - 1; i > 0; i--) {
        const j = rng.uniformInt(i + 1);
        [reports[i], reports[j]] = [reports[j]!, reports[i]!];
      }
      for (let i = 0; i < reports.length; i += BATCH) {
        const response = await request('POST', `${collector.url}/v1/reports`, {}, JSON.stringify({ campaignId, campaignVersion: 1, reports: reports.slice(i, i + BATCH) }));
        if (response.status !== 202) throw new Error(`ingest: ${response.status} ${response.text.slice(0, 300)}`);
      }
      reportsSent += reports.length;
      const from = plans.reduce((a, p) => (p.day < a ? p.day : a), plans[0]!.day);
      for (const m of MECHANISMS) {
        const labels = m === 'rappor' ? CANDIDATES : codes.map((c) => c.code);
        const read = async (defence: string) => {
          const r = await request('GET', `${collector.url}/v1/campaigns/${campaignId}/estimates?question=${m}&bucket=day&from=${from}&estimand=respondents&defence=${defence}`, { authorization: `Bearer ${READ_TOKEN}` });
          if (r.status !== 200) throw new Error(`estimates: ${r.status} ${r.text.slice(0, 300)}`);
          return JSON.parse(r.text) as EstimateRelease;
        };
        const plain = await read('none');
        const defended = await read('ldprecover');
        if (defended.defence !== 'ldprecover') throw new Error('the release does not say the defence was applied');
        for (const plan of plans) {
          const a = valuesOf(plain, plan.day, labels);
          const b = valuesOf(defended, plan.day, labels);
          const truth = truths.get(plan.day)!;
          cells.push({ rep, mech: m, plan, truth, baseline: model.honestEstimate(m, plan.day) ?? truth, status: a.status, score: a.score, named: b.named, plain: a.values, defended: b.values, n: a.n });
        }
      }
      log(`repetition ${rep + 1}/${REPS}: ${reports.length.toLocaleString('en-US')} reports sent and read back`);
    }
  } finally {
    closeAgent();
    await collector.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  report(cells, reportsSent);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const MECH_LABEL: Record<Mech, string> = { oue: 'OUE', sue: 'SUE', olh: 'OLH', grr: 'GRR', rappor: 'RAPPOR' };

function report(cells: CellResult[], reportsSent: number): void {
  const figures: Figure[] = [];
  const attacked = (mech: Mech, attack: Attack, fraction: number) => cells.filter((c) => c.mech === mech && c.plan.attack === attack && c.plan.fraction === fraction);
  const flaggedShare = (list: CellResult[]) => list.filter((c) => c.status === 'suspicious').length / list.length;
  // Detection.
  const mga5 = DETECTABLE.flatMap((m) => attacked(m, 'mga', 0.05));
  figures.push({ name: `MGA, 5% fake users: attacked (question, day) cells flagged — OUE, SUE, RAPPOR (${mga5.length} cells)`, value: flaggedShare(mga5), unit: 'share of cells', target: '≥ 0.9', pass: flaggedShare(mga5) >= 0.9 });
  for (const m of DETECTABLE) {
    for (const attack of ATTACKS) {
      const rates = FRACTIONS.map((f) => `${(f * 100).toFixed(0)}%: ${pct(flaggedShare(attacked(m, attack, f)))}`).join(', ');
      figures.push({ name: `${MECH_LABEL[m]} ${attack}: cells flagged by fake share (${REPS} per share)`, value: rates, unit: 'flagged' });
    }
  }
  for (const m of ['olh', 'grr'] as const) {
    const all = cells.filter((c) => c.mech === m);
    const na = all.every((c) => c.status === 'not-applicable');
    figures.push({ name: `${MECH_LABEL[m]}: integrity status of all ${all.length} cells (detection cannot work: every report is a valid output)`, value: na ? 'not-applicable' : 'MIXED', unit: '' });
  }
  // False alarms.
  const honest = cells.filter((c) => DETECTABLE.includes(c.mech) && c.plan.kind !== 'attacked');
  const outbreak = honest.filter((c) => c.plan.kind === 'outbreak');
  figures.push({ name: `False alarms: honest cells flagged, outbreaks included — OUE, SUE, RAPPOR (${honest.length} cells)`, value: flaggedShare(honest), unit: 'share of cells', target: '≤ 0.01', pass: flaggedShare(honest) <= 0.01 });
  figures.push({ name: `False alarms on outbreak cells only (share of one answer 40–80%; ${outbreak.length} cells)`, value: flaggedShare(outbreak), unit: 'share of cells', target: '≤ 0.01', pass: flaggedShare(outbreak) <= 0.01 });
  // Gains: the released estimate of the target minus the same estimate of the honest reports alone (paired; RAPPOR: minus the true share).
  const gain = (list: CellResult[], which: 'plain' | 'defended') => list.reduce((s, c) => s + c[which][TARGET]! - c.baseline[TARGET]!, 0) / list.length;
  const gains: Record<string, unknown> = {};
  for (const m of MECHANISMS) {
    for (const attack of ATTACKS) {
      for (const f of FRACTIONS) {
        const list = attacked(m, attack, f);
        gains[`${m} ${attack} ${f}`] = { none: gain(list, 'plain'), ldprecover: gain(list, 'defended') };
        if (attack !== 'mga' && f !== 0.05) continue;
        const recovers = m === 'oue' || m === 'sue';
        figures.push({
          name: `${MECH_LABEL[m]} ${attack} ${(f * 100).toFixed(0)}%: target gain, no defence${recovers ? ' → with ldprecover' : ''}`,
          value: recovers ? `${pct(gain(list, 'plain'))} → ${pct(gain(list, 'defended'))}` : pct(gain(list, 'plain')),
          unit: 'absolute share',
        });
      }
    }
    figures.push({ name: `${MECH_LABEL[m]}: target gain with tokens, attacker holding 1% of accounts (= MGA at 1%)`, value: pct(gain(attacked(m, 'mga', 0.01), 'plain')), unit: 'absolute share' });
  }
  for (const f of [0.05, 0.1]) {
    const list = (['oue', 'sue'] as const).flatMap((m) => attacked(m, 'mga', f));
    const right = list.filter((c) => c.named.length === 1 && c.named[0] === `s${TARGET}`).length;
    figures.push({ name: `Recovery, MGA ${(f * 100).toFixed(0)}% (OUE, SUE): cells where it named the true target (else it subtracts from an innocent value)`, value: right / list.length, unit: 'share of cells' });
  }
  // Honest-data accuracy with the defence on: within the planner's 95% half-width of the truth.
  let within = 0;
  let total = 0;
  let changed = 0;
  for (const c of cells) {
    if (c.plan.kind === 'attacked' || c.mech === 'rappor') continue;
    for (let v = 0; v < K; v++) {
      const planned = plan({ mechanism: c.mech, k: K, epsilon: 1, n: c.n, estimand: 'respondents', share: c.truth[v]! });
      if (Math.abs(c.defended[v]! - c.truth[v]!) <= planned.atShare!.halfWidth95) within++;
      if (c.defended[v] !== c.plain[v]) changed++;
      total++;
    }
  }
  figures.push({ name: `Honest cells with defence=ldprecover: values within the planner's 95% half-width of the truth (OUE, SUE, OLH, GRR; ${total} values)`, value: within / total, unit: 'share of values', target: '≥ 0.93 (nominal 0.95)', pass: within / total >= 0.93 });
  figures.push({ name: 'Honest cells: values changed by defence=ldprecover', value: changed, unit: 'values' });
  figures.push({ name: 'Reports sent through POST /v1/reports', value: reportsSent, unit: 'reports' });
  printFigures(figures);
  const adaptive5 = DETECTABLE.flatMap((m) => attacked(m, 'adaptive', 0.05));
  writeStep('red-team', figures, {
    notes: [
      `Setting: ${REPS} repetitions (campaigns), ${N} honest patients per UTC day, ${15 + EXTRA_HONEST_DAYS} days each (${3 + EXTRA_HONEST_DAYS} honest, 3 outbreak, 9 attacked); 16 categories at ε = 1 (OUE, SUE, OLH, GRR) and a RAPPOR question (k = 32, h = 2, 16 cohorts); one target of honest share 2%; attacks and defences as in packages/collector/bench/red-team.ts.`,
      `The adaptive attacker is expected to evade the set-bit test, and does: ${pct(flaggedShare(adaptive5))} of its 5% cells were flagged. Random-item fakes are honest randomizations of the target and cannot be told apart either. Recovery removes only what the histogram shows, so against both the "with ldprecover" gain equals the undefended one; only tokens (an allowance per enrolled patient) limit them.`,
      'Gains are the mean over repetitions of (released unbiased estimate of the target, respondents estimand − the same estimator on the honest reports of that cell alone), so the honest sampling noise cancels; for RAPPOR (whose estimate needs the candidate decoding) − the true share instead, which is noisier. Unbiased estimates are not clipped, so a gain can exceed 100% (GRR at 10%). "With tokens" is not a separate run: a token allowance caps the attacker at one report per held account per question and period, so its gain is the gain at the fraction of accounts it holds (1% assumed here).',
    ],
    details: {
      reps: REPS,
      n: N,
      gains,
      falseAlarms: honest.filter((c) => c.status === 'suspicious').map((c) => ({ rep: c.rep, mechanism: c.mech, day: c.plan.day, kind: c.plan.kind, score: c.score })),
      highestHonestScores: honest.map((c) => c.score ?? 0).sort((a, b) => b - a).slice(0, 10),
      // Calibration: under a correct null, p-values of honest cells are uniform — these shares should be ≈ 0.1 and 0.01.
      honestPBelow: { '0.1': honest.filter((c) => (c.score ?? 0) > 1).length / honest.length, '0.01': honest.filter((c) => (c.score ?? 0) > 2).length / honest.length },
      honestPBelowByMechanism: Object.fromEntries(DETECTABLE.map((m) => {
        const list = honest.filter((c) => c.mech === m);
        return [m, { cells: list.length, '0.1': list.filter((c) => (c.score ?? 0) > 1).length / list.length, '0.01': list.filter((c) => (c.score ?? 0) > 2).length / list.length }];
      })),
    },
  });
}

await main();
