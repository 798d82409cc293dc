/**
 * The end-to-end stack: a real collector (fresh SQLite) with two campaigns the dashboard was not
 * written for and randomized reports on two UTC days, and the dashboard's production build served
 * by `vite preview` with a `config.json` naming the collector (the deployment path the README gives).
 * Today's reports to the OUE question `intake/symptom` include a real maximal-gain attack (ATTACK:
 * crafted reports with only the target's bit set, posted through the collector's HTTP ingest like
 * any other); yesterday's are all honest. All randomness is from one seeded source.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDays, createCampaignRandomizers, RandomSampler, seededRandomSource, utcDay, validateCampaign, type AnyRandomizer, type Question } from '@practical-privacy/core';

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
export const READ_TOKEN = 'e2e-read-token-0123456789';
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const collectorBin = join(packageDir, '..', 'collector', 'bin', 'pp-collector.mjs');
const viteBin = join(dirname(createRequire(join(packageDir, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');

const options = (codes: string[]) => codes.map((code) => ({ code, label: code[0]!.toUpperCase() + code.slice(1) }));
const SYMPTOMS = ['cough', 'fever', 'headache', 'nausea', 'rash', 'fatigue', 'dizziness', 'chills', 'sore-throat', 'back-pain', 'chest-pain', 'insomnia', 'anxiety', 'cramps', 'itching', 'swelling'];

/**
 * The poisoning the stack plays: on today only, `fakes` crafted reports beside `honest` real ones
 * (70 / 870 ≈ 8%) to the OUE question, each with only the target's bit set — the maximal-gain
 * attack (Cao et al., USENIX Security 2021) the collector's set-bit check is built to detect.
 * Yesterday has `honest` honest reports only. 800 honest reports per day: the collector's own
 * integrity test flags 5% at that n (packages/collector/test/integrity.test.ts).
 */
export const ATTACK = { campaign: 'intake', question: 'symptom', target: 'rash', honest: 800, fakes: 70 } as const;
export const CAMPAIGNS = [
  {
    id: 'intake',
    version: 1,
    title: 'Clinic intake',
    questions: [
      { id: 'smoker', label: 'Smokes', prompt: 'Do you smoke?', tier: 'moderate', type: 'boolean', mechanism: 'binary-rr', epsilon: 2 },
      { id: 'visit', label: 'Reason for visit', prompt: 'Why are you here?', tier: 'moderate', type: 'categorical', mechanism: 'grr', epsilon: 2, domain: { categories: options(['checkup', 'injury', 'illness']) } },
      { id: 'sleep', label: 'Hours of sleep', prompt: 'Hours of sleep?', tier: 'low', type: 'numeric', mechanism: 'hybrid', epsilon: 2, domain: { low: 0, high: 12 } },
      { id: 'symptom', label: 'Main symptom', prompt: 'Your main symptom today?', tier: 'moderate', type: 'categorical', mechanism: 'oue', epsilon: 1, domain: { categories: options(SYMPTOMS) } },
    ],
  },
  {
    id: 'followup',
    version: 3,
    title: 'Follow-up',
    questions: [
      { id: 'better', label: 'Feeling better', prompt: 'Feeling better?', tier: 'moderate', type: 'boolean', mechanism: 'binary-rr', epsilon: 1.5, minBatch: 150 },
      { id: 'effects', label: 'Side effects', prompt: 'Which side effects?', tier: 'moderate', type: 'multiselect', epsilon: 2, domain: { items: options(['nausea', 'headache', 'rash']), maxItems: 2 } },
    ],
  },
];

function answer(question: Question, i: number): unknown {
  switch (question.type) {
    case 'boolean':
      return i % 3 === 0 ? 1 : 0;
    case 'categorical':
      return i % question.domain.categories.length;
    case 'numeric':
      return 4 + (i % 6);
    default:
      return [i % 3];
  }
}

export async function startStack(dataDir: string, collectorPort: number, dashboardPort: number): Promise<() => Promise<void>> {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const collectorUrl = `http://127.0.0.1:${collectorPort}`;
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM'))))));
  };
  try {
    // Built first: the collector serves the same files at /dashboard/ (PP_DASHBOARD_DIR).
    const outDir = join(dataDir, 'dist');
    await run(process.execPath, [viteBin, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn']);
    // The deployment's own configuration file, read at run time: the build holds no address or token.
    writeFileSync(join(outDir, 'config.json'), JSON.stringify({ collectorUrl: `http://127.0.0.1:${collectorPort}` }));
    const collector = spawn(process.execPath, [collectorBin, 'serve'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        PP_HOST: '127.0.0.1',
        PP_PORT: String(collectorPort),
        PP_DATABASE_URL: `sqlite:${join(dataDir, 'collector.db')}`,
        PP_ADMIN_TOKEN: ADMIN_TOKEN,
        PP_READ_TOKEN: READ_TOKEN,
        PP_ALLOWED_ORIGINS: `http://localhost:${dashboardPort},http://127.0.0.1:${dashboardPort}`,
        PP_RATE_LIMIT_PER_MINUTE: '100000',
        PP_LOG_LEVEL: 'warn',
        PP_DASHBOARD_DIR: outDir,
      },
    });
    children.push(collector);
    await waitFor(`${collectorUrl}/readyz`);
    const rng = new RandomSampler(seededRandomSource('dashboard e2e'));
    const today = utcDay(new Date());
    for (const document of CAMPAIGNS) {
      const published = await fetch(`${collectorUrl}/v1/campaigns`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(document) });
      if (published.status !== 201) throw new Error(`publish ${document.id}: ${published.status} ${await published.text()}`);
      const campaign = validateCampaign(document);
      const randomizers = createCampaignRandomizers(campaign) as Map<string, AnyRandomizer>;
      for (const [d, day] of [addDays(today, -1), today].entries()) {
        const reports = [];
        for (const question of campaign.questions) {
          const randomizer = randomizers.get(question.id) as unknown as { randomize(x: unknown, r: RandomSampler): unknown; encodeReport(r: unknown): { payload: unknown } };
          const attacked = campaign.id === ATTACK.campaign && question.id === ATTACK.question;
          for (let i = 0; i < (attacked ? ATTACK.honest : 120 + 90 * d); i++) {
            reports.push({ id: reportId(rng), questionId: question.id, day, ...randomizer.encodeReport(randomizer.randomize(answer(question, i), rng)) });
          }
          if (attacked && day === today) {
            const payload = onlyBit(SYMPTOMS.length, SYMPTOMS.indexOf(ATTACK.target));
            for (let i = 0; i < ATTACK.fakes; i++) reports.push({ id: reportId(rng), questionId: question.id, day, payload });
          }
        }
        // Interleaved, as an attacker's reports would arrive among honest ones (seeded shuffle).
        for (let i = reports.length - 1; i > 0; i--) {
          const j = rng.uniformInt(i + 1);
          [reports[i], reports[j]] = [reports[j]!, reports[i]!];
        }
        for (let start = 0; start < reports.length; start += 200) {
          const response = await fetch(`${collectorUrl}/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ campaignId: campaign.id, campaignVersion: campaign.version, reports: reports.slice(start, start + 200) }) });
          if (response.status !== 202) throw new Error(`ingest ${campaign.id}: ${response.status} ${await response.text()}`);
        }
      }
    }
    const preview = spawn(process.execPath, [viteBin, 'preview', '--outDir', outDir, '--port', String(dashboardPort), '--strictPort', '--host', 'localhost'], { cwd: packageDir, stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(preview);
    await waitFor(`http://localhost:${dashboardPort}/`);
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

function reportId(rng: RandomSampler): string {
  return Array.from({ length: 4 }, () => rng.uint32().toString(16).padStart(8, '0')).join('');
}

/** An OUE report of k bits (packed, least significant bit first, base64url) with only bit `t` set. */
function onlyBit(k: number, t: number): string {
  const bytes = new Uint8Array(Math.ceil(k / 8));
  bytes[t >> 3] = 1 << (t & 7);
  return Buffer.from(bytes).toString('base64url');
}

async function run(command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { cwd: packageDir, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}`);
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}
