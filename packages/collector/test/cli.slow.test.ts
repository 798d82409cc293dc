/** The `pp-collector` commands as the demo app uses them: publish a campaign file, serve, export. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kill, runCli, startCollector } from './process-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const example = new URL('../examples/demo-campaign.json', import.meta.url).pathname;

describe('pp-collector CLI', () => {
  it('publishes a campaign file, serves it, exports CSV, and refuses bad configuration', async () => {
    const env = { PP_DATABASE_URL: `sqlite:${join(dir, 'cli.db')}` };
    expect(await runCli(['campaign', 'publish', example], env)).toMatchObject({ code: 0, output: expect.stringContaining('campaign demo version 1: created') });
    expect(await runCli(['campaign', 'publish', example], env)).toMatchObject({ code: 0, output: expect.stringContaining('campaign demo version 1: unchanged (already published with identical content)') });
    // A changed file under the same version is refused (even with no reports yet): publish version 2.
    const changed = join(dir, 'changed.json');
    const document = JSON.parse((await import('node:fs')).readFileSync(example, 'utf8')) as { title: string };
    (await import('node:fs')).writeFileSync(changed, JSON.stringify({ ...document, title: `${document.title} (edited)` }));
    const refused = await runCli(['campaign', 'publish', changed], env);
    expect(refused).toMatchObject({ code: 1, output: expect.stringContaining('CAMPAIGN_IMMUTABLE: campaign demo version 1 is already published with different content') });
    expect(refused.output).toContain('publish the change as version 2');
    const collector = await startCollector(env.PP_DATABASE_URL);
    const campaign = (await (await fetch(`${collector.url}/v1/campaigns/demo`)).json()) as { questions: unknown[] };
    expect(campaign.questions).toHaveLength(4);
    expect((await kill(collector.child, 'SIGTERM')).code).toBe(0);
    const exported = await runCli(['export', '--campaign', 'demo', '--question', 'fever'], env);
    expect(exported.code).toBe(0);
    expect(exported.output).toMatch(/^campaign,version,question,period/);
    expect(await runCli(['serve'], { ...env, PP_PORT: 'eighty' })).toMatchObject({ code: 1, output: expect.stringContaining('PP_PORT') });
    expect((await runCli(['frobnicate'], env)).code).toBe(2);
    const bad = join(dir, 'bad.json');
    (await import('node:fs')).writeFileSync(bad, JSON.stringify({ id: 'x', version: 1, title: 't', questions: [] }));
    expect(await runCli(['campaign', 'publish', bad], env)).toMatchObject({ code: 1, output: expect.stringContaining('CAMPAIGN_INVALID') });
  });

  it('--help and --version exit 0, even with bad configuration', async () => {
    const env = { PP_PORT: 'eighty' };
    for (const flag of ['--help', '-h', 'help']) expect(await runCli([flag], env)).toMatchObject({ code: 0, output: expect.stringContaining('pp-collector serve') });
    const { version } = JSON.parse((await import('node:fs')).readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(await runCli([flag], env)).toMatchObject({ code: 0, output: expect.stringContaining(version) });
  });
});
