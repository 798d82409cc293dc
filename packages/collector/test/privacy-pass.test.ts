/**
 * Issue 17 §1 at the collector: a campaign that requires Privacy Pass tokens. Every adversary the
 * privacy model names gets a test: a replayed token (double spend), a token for another context
 * whose signature verifies, a forged or altered token, an expired or rotated key, hostile bodies.
 * Run against SQLite, and against PostgreSQL when available (PP_HAVE_POSTGRES=1).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { publicVerif, Token, TOKEN_TYPES, util } from '@cloudflare/privacypass-ts';
import { base64UrlDecode, base64UrlEncode, tokenKeyBytes, type TokenKeyList } from '@practical-privacy/core';
import type { TokenIssuer } from '@practical-privacy/token-issuer';
import { hostileTokenBodies } from '../../core/test/hostile-inputs.ts';
import type { CollectorApp } from '../src/app.ts';
import { TokenKeyRing } from '../src/privacy-pass/key-ring.ts';
import { PostgresRepository } from '../src/storage/postgres.ts';
import { SqliteRepository } from '../src/storage/sqlite.ts';
import type { Repository } from '../src/storage/repository.ts';
import { makeApp, publish, reportId } from './helpers.ts';
import { HAVE_POSTGRES, POSTGRES_URL, uniqueSchema } from './postgres-env.ts';
import { BINDING, keyFor, makeIssuer, mintToken, settableClock, tokenCampaign } from './token-helpers.ts';

const DAY = '2026-03-11'; // a Wednesday; its ISO week starts 2026-03-09
const apps: CollectorApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

interface Setup {
  app: CollectorApp;
  issuer: TokenIssuer;
  list: TokenKeyList;
  ring: TokenKeyRing;
  time: ReturnType<typeof settableClock>;
}

function suite(name: string, openRepository: () => Repository, dispose: (repo: Repository) => Promise<void> = async () => undefined) {
  describe(name, () => {
    async function setup(options: { retainDays?: number } = {}): Promise<Setup> {
      const time = settableClock(`${DAY}T10:00:00Z`);
      const issuer = await makeIssuer(time.now, [tokenCampaign('checkin'), tokenCampaign('other')], options);
      const list = await issuer.keyList();
      const ring = TokenKeyRing.of(list);
      const repository = openRepository();
      const app = await makeApp({}, { repository, now: time.now, tokenKeys: ring });
      app.addHook('onClose', async () => dispose(repository));
      apps.push(app);
      expect(await publish(app, tokenCampaign('checkin'))).toBe(201);
      expect(await publish(app, tokenCampaign('other'))).toBe(201);
      return { app, issuer, list, ring, time };
    }

    const entry = (questionId: string, token: string | undefined, extra: Record<string, unknown> = {}) => ({ id: reportId(), questionId, day: DAY, payload: 1, ...(token === undefined ? {} : { ext: { token } }), ...extra });
    const send = (app: CollectorApp, reports: unknown[], campaignId = 'checkin') =>
      app.inject({ method: 'POST', url: '/v1/reports', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify({ protocol: 2, campaignId, campaignVersion: 1, reports }) });
    const statuses = (body: { reports: Array<{ status: string; code?: string }> }) => body.reports.map((r) => r.code ?? r.status);

    it('issue → report → verify → spend: accepted per report, the spend stored apart from the report rows', async () => {
      const { app, issuer, list } = await setup();
      const reports = [
        entry('fever', await mintToken(issuer, 'patient-1', keyFor(list, 'checkin', 'fever', DAY))),
        entry('mood', await mintToken(issuer, 'patient-1', keyFor(list, 'checkin', 'mood', '2026-03-09'))),
      ];
      const res = await send(app, reports);
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ accepted: 2, duplicates: 0, refused: 0, reports: reports.map((r) => ({ id: r.id, status: 'accepted' })) });
      expect(await app.collector.repository.countReports('checkin', 1)).toBe(2);
      expect(await app.collector.repository.countTokenSpends()).toBe(2);
      // GET /v1/token-keys serves the list it verified with.
      expect((await app.inject({ method: 'GET', url: '/v1/token-keys' })).json()).toEqual(list);
    });

    it('a retried report is a duplicate, not a double spend; a new report with a spent token is refused, and the honest report beside it stored', async () => {
      const { app, issuer, list } = await setup();
      const token = await mintToken(issuer, 'patient-1', keyFor(list, 'checkin', 'fever', DAY));
      const first = entry('fever', token);
      expect((await send(app, [first])).json().accepted).toBe(1);
      const retry = await send(app, [first]);
      expect(retry.json()).toEqual({ accepted: 0, duplicates: 1, refused: 0, reports: [{ id: first.id, status: 'duplicate' }] });
      const honest = entry('cough', await mintToken(issuer, 'patient-2', keyFor(list, 'checkin', 'cough', DAY)));
      const replay = await send(app, [entry('fever', token), honest]);
      expect(replay.statusCode).toBe(202);
      expect(statuses(replay.json())).toEqual(['TOKEN_SPENT', 'accepted']);
      expect(replay.json().refused).toBe(1);
      // Same token twice in one batch under two ids: one is stored.
      const twice = await mintToken(issuer, 'patient-3', keyFor(list, 'checkin', 'fever', DAY));
      expect(statuses((await send(app, [entry('fever', twice), entry('fever', twice)])).json()).sort()).toEqual(['TOKEN_SPENT', 'accepted']);
      expect(await app.collector.repository.countReports('checkin', 1)).toBe(3);
      const cells = await app.collector.repository.readSums({ campaignId: 'checkin', version: 1, questionId: 'fever' });
      expect(cells.find((c) => c.index === 0)?.sum).toBe(2);
      const metrics = await app.collector.metrics.registry.getSingleMetricAsString('pp_reports_refused_total');
      expect(metrics).toContain('reason="TOKEN_SPENT"} 2');
    });

    it('wrong context: a token for another campaign, question, period or collector is refused — though its signature verifies', async () => {
      const { app, issuer, list } = await setup();
      const feverKey = keyFor(list, 'checkin', 'fever', DAY);
      const cases: Array<[string, string]> = [
        ['another campaign', await mintToken(issuer, 'p1', keyFor(list, 'other', 'fever', DAY))],
        ['another question', await mintToken(issuer, 'p2', keyFor(list, 'checkin', 'cough', DAY))],
        ['another period (tomorrow)', await mintToken(issuer, 'p3', keyFor(list, 'checkin', 'fever', '2026-03-12'))],
        // The device cheats: the right key, a challenge for another question (the key cannot see it).
        ['right key, challenge for another question', await mintToken(issuer, 'p4', feverKey, { campaignId: 'checkin', questionId: 'cough', periodStart: DAY })],
        ['right key, challenge for another period', await mintToken(issuer, 'p5', feverKey, { campaignId: 'checkin', questionId: 'fever', periodStart: '2026-03-12' })],
        ['right key, another collector', await mintToken(issuer, 'p6', feverKey, undefined, { ...BINDING, origin: 'elsewhere.example' })],
      ];
      const res = await send(app, cases.map(([, token]) => entry('fever', token)));
      expect(res.statusCode).toBe(202);
      expect(statuses(res.json())).toEqual(cases.map(() => 'TOKEN_CONTEXT_MISMATCH'));
      expect(await app.collector.repository.countReports('checkin', 1)).toBe(0);
      expect(await app.collector.repository.countTokenSpends()).toBe(0);
      // verify() alone would have accepted the cheating device's tokens: the context check is what refuses them.
      const publicKey = await crypto.subtle.importKey('spki', new Uint8Array(util.convertRSASSAPSSToEnc(tokenKeyBytes(feverKey))), TOKEN_TYPES.BLIND_RSA.rsaParams, false, ['verify']);
      const origin = new publicVerif.Origin(publicVerif.BlindRSAMode.PSS, [BINDING.origin]);
      for (const [, token] of cases.slice(3)) expect(await origin.verify(Token.deserialize(TOKEN_TYPES.BLIND_RSA, base64UrlDecode(token, 354)), publicKey)).toBe(true);
    });

    it('the 00:00 UTC edge: the report\'s own day decides — a token fetched ahead for P+1 is accepted on P+1, P\'s token still for a report dated P that arrives after midnight, never for one dated P+1', async () => {
      const { app, issuer, list, time } = await setup();
      const next = '2026-03-12';
      // All fetched on day P (aheadDays 1: P and P+1 are listed), spent around midnight.
      const todayFever = await mintToken(issuer, 'p1', keyFor(list, 'checkin', 'fever', DAY));
      const todayCough = await mintToken(issuer, 'p1', keyFor(list, 'checkin', 'cough', DAY));
      const tomorrowFever = await mintToken(issuer, 'p1', keyFor(list, 'checkin', 'fever', next));
      time.set(`${next}T00:00:00.200Z`);
      const res = await send(app, [entry('fever', todayFever), entry('fever', tomorrowFever, { day: next }), entry('cough', todayCough, { day: next })]);
      expect(statuses(res.json())).toEqual(['accepted', 'accepted', 'TOKEN_CONTEXT_MISMATCH']);
      expect(await app.collector.repository.countTokenSpends()).toBe(2);
    });

    it('forged and altered tokens, unknown keys and missing tokens are refused one by one', async () => {
      const { app, issuer, list } = await setup();
      const key = keyFor(list, 'checkin', 'fever', DAY);
      const real = base64UrlDecode(await mintToken(issuer, 'p1', key), 354);
      const alter = (at: number) => {
        const copy = real.slice();
        copy[at] = copy[at]! ^ 1;
        return base64UrlEncode(copy);
      };
      const forged = real.slice();
      forged.set(randomBytes(256), 98); // a random authenticator under the real key and context
      const unknownKey = real.slice();
      unknownKey.set(randomBytes(32), 66);
      const type1 = real.slice();
      type1[1] = 1;
      const res = await send(app, [
        entry('fever', base64UrlEncode(forged)),
        entry('fever', alter(10)), // nonce
        entry('fever', alter(353)), // authenticator
        entry('fever', base64UrlEncode(unknownKey)),
        entry('fever', base64UrlEncode(type1)),
        entry('fever', undefined),
      ]);
      expect(statuses(res.json())).toEqual(['TOKEN_INVALID', 'TOKEN_INVALID', 'TOKEN_INVALID', 'TOKEN_KEY_UNKNOWN', 'TOKEN_INVALID', 'TOKEN_MISSING']);
      expect(await app.collector.repository.countReports('checkin', 1)).toBe(0);
      // The real token is still unspent: refusals spend nothing.
      expect(statuses((await send(app, [entry('fever', base64UrlEncode(real))])).json())).toEqual(['accepted']);
    });

    it('an expired key is refused; after an emergency rotation the old key\'s tokens are refused and the new key\'s accepted', async () => {
      const { app, issuer, list, time } = await setup({ retainDays: 1 });
      const yesterdayToken = await mintToken(issuer, 'p1', keyFor(list, 'checkin', 'fever', DAY));
      time.set('2026-03-13T00:00:00Z'); // fever@03-11 expires at 03-12 + 1 day
      expect(statuses((await send(app, [entry('fever', yesterdayToken)])).json())).toEqual(['TOKEN_KEY_EXPIRED']);
      time.set(`${DAY}T12:00:00Z`);
      const cough = keyFor(list, 'checkin', 'cough', DAY);
      const oldToken = await mintToken(issuer, 'p2', cough);
      await issuer.replaceKey({ campaignId: 'checkin', questionId: 'cough', periodStart: DAY });
      const rotated = await issuer.keyList();
      const repository = app.collector.repository;
      const reloaded = await makeApp({}, { repository, now: time.now, tokenKeys: TokenKeyRing.of(rotated), migrate: false });
      // (The first app shares the repository; closing it would close the store.)
      apps.splice(apps.indexOf(app), 1);
      apps.push(reloaded);
      expect(statuses((await send(reloaded, [entry('cough', oldToken)])).json())).toEqual(['TOKEN_KEY_UNKNOWN']);
      const fresh = await mintToken(issuer, 'p2', keyFor(rotated, 'checkin', 'cough', DAY));
      expect(statuses((await send(reloaded, [entry('cough', fresh)])).json())).toEqual(['accepted']);
    });

    it('a retry of an accepted report is a duplicate even when its token would now be refused (key expired or rotated out); a new report with that token is still refused', async () => {
      const { app, issuer, list, time } = await setup({ retainDays: 1 });
      const accepted = entry('fever', await mintToken(issuer, 'p1', keyFor(list, 'checkin', 'fever', DAY)));
      const honest = entry('cough', await mintToken(issuer, 'p1', keyFor(list, 'checkin', 'cough', DAY)));
      expect(statuses((await send(app, [accepted])).json())).toEqual(['accepted']);
      // The 202 was lost; the device retries after the key expired (or, below, after a rotation).
      time.set('2026-03-13T00:00:00Z');
      const retry = (await send(app, [accepted])).json();
      expect(retry).toMatchObject({ accepted: 0, duplicates: 1, refused: 0 });
      expect(statuses(retry)).toEqual(['duplicate']);
      expect(statuses((await send(app, [entry('fever', accepted.ext!.token)])).json())).toEqual(['TOKEN_KEY_EXPIRED']);
      time.set(`${DAY}T12:00:00Z`);
      expect(statuses((await send(app, [honest])).json())).toEqual(['accepted']);
      await issuer.replaceKey({ campaignId: 'checkin', questionId: 'cough', periodStart: DAY });
      const repository = app.collector.repository;
      const reloaded = await makeApp({}, { repository, now: time.now, tokenKeys: TokenKeyRing.of(await issuer.keyList()), migrate: false });
      apps.splice(apps.indexOf(app), 1);
      apps.push(reloaded);
      expect(statuses((await send(reloaded, [honest, entry('cough', honest.ext!.token)])).json())).toEqual(['duplicate', 'TOKEN_KEY_UNKNOWN']);
      expect(await repository.countReports('checkin', 1)).toBe(2);
    });

    it('hostile token bodies are a 400 for the whole batch and change nothing', async () => {
      const { app, issuer, list } = await setup();
      const honest = entry('fever', await mintToken(issuer, 'p1', keyFor(list, 'checkin', 'fever', DAY)));
      for (const hostile of hostileTokenBodies()) {
        const res = await send(app, [honest, entry('cough', undefined, { ext: { token: hostile.value } })]);
        expect(res.statusCode, hostile.name).toBe(400);
        expect(res.json().error.code, hostile.name).toBe('REPORT_INVALID');
      }
      expect(await app.collector.repository.countReports('checkin', 1)).toBe(0);
      expect(await app.collector.repository.countTokenSpends()).toBe(0);
    });

    it('a campaign without tokens answers as before: {accepted, duplicates}, and ignores no token it is given', async () => {
      const { app } = await setup();
      const { tokens: _t, ...plain } = tokenCampaign('plain');
      expect(await publish(app, plain)).toBe(201);
      const reports = [entry('fever', undefined)];
      const res = await send(app, reports, 'plain');
      expect(res.json()).toEqual({ accepted: 1, duplicates: 0 });
      expect((await send(app, reports, 'plain')).json()).toEqual({ accepted: 0, duplicates: 1 });
    });
  });
}

suite('tokens on SQLite', () => new SqliteRepository(':memory:'));
describe.skipIf(!HAVE_POSTGRES)('PostgreSQL', () => {
  suite(
    'tokens on PostgreSQL',
    () => new PostgresRepository({ connectionString: POSTGRES_URL, schema: uniqueSchema('tokens') }),
    async (repo) => (repo as PostgresRepository).dropSchema(),
  );
});
