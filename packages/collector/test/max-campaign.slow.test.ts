/**
 * The largest campaign the schema lets through (fixtures/max-campaign-probe.ts: RAPPOR k = 4096 with
 * m = 31 and 10,000 candidates, RAPPOR k = 128 with m = 1016 and 2^21 candidate positions,
 * Hadamard and OUE over 65,536 categories — each at a limit of core's campaign/schema.ts), fed
 * reports with every bit set on two days and estimated per day and in total, in its own process:
 * the peak RSS the kernel records (maxRSS) must stay within the bound the README states. Before
 * the schema's limits, one RAPPOR question of k = m = 4096 needed 128 MiB per report at ingest and
 * per day at estimate time.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = new URL(`file://${createRequire(import.meta.url).resolve('tsx')}`).href;
const MIB = 1024 * 1024;
/** The README's bound ("Memory per report and campaign limits"). */
const PEAK_GROWTH_BOUND = 1024 * MIB;

describe('a maximal campaign', () => {
  it('ingests worst-case reports and answers every estimate with at most 1 GiB more peak RSS than after publishing', () => {
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', tsx, '--conditions=@practical-privacy/source', join(here, 'fixtures', 'max-campaign-probe.ts')], { encoding: 'utf8', timeout: 230_000 });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      before: { maxRss: number };
      after: { maxRss: number };
      estimates: Record<string, number>;
      storedCells: Record<string, number>;
    };
    console.log(`max campaign: peak RSS ${(result.before.maxRss / MIB).toFixed(0)} MiB after publishing, ${(result.after.maxRss / MIB).toFixed(0)} MiB after ingest and estimates`);
    // Every question was ingested (2 days × 40 reports) and estimated.
    for (const [key, n] of Object.entries(result.estimates)) expect(n, key).toBe(80);
    // Every bit set: each RAPPOR report touched its cohort's k + 1 cells, each OUE report all 65,537.
    expect(result.storedCells['oue-max']).toBe(2 * 65_537);
    expect(result.after.maxRss - result.before.maxRss).toBeLessThan(PEAK_GROWTH_BOUND);
  });
});
