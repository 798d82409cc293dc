/**
 * What the worker does, as a plain object exposed with comlink (and testable in-process over a
 * MessageChannel). Raw answers arrive here, are validated, randomized and dropped; only randomized
 * reports, keyed hashes and ε figures are written to IndexedDB or sent.
 *
 * report(): consent → campaign question → answer check (INPUT_INVALID, nothing spent) → pre-check
 * (ALREADY_REPORTED when the question was reported in this window of its `period`, BUDGET_EXCEEDED;
 * both before anything is computed; the charge is read from the ledger, never from the answer:
 * worker/charges.ts) → randomize (two-level questions: permanent level derived from the device key,
 * worker/levels.ts; nothing per answer is stored) → ONE transaction: re-check, debit, queue
 * (store/ledger.ts). The re-check is what stops two tabs sharing the database.
 */
import { releaseProxy } from 'comlink';
import { PrivacyError, isPrivacyError, isTwoLevel, levelPolicyOf, RandomSampler, TOKEN_PATTERN, cryptoRandomSource, newReportId, toWireReport, utcDay, type AnyRandomizer, type Campaign, type Question } from '@practical-privacy/core';
import { resolveCaps, type Caps } from '../caps.ts';
import { DEFAULT_DB_NAME, type SdkDatabase } from '../store/db.ts';
import { DEFAULT_ERASE_TIMEOUT_MS, SdkConnection } from '../store/connection.ts';
import { availabilityOf, chargeOfNext, checkCharge, commitReport, deviceSpent, ledgerKey, questionSpent, readSpent, remainingOf, windowsOf, type Availability, type LedgerReader } from '../store/ledger.ts';
import { OPTED_OUT, optOutChannel } from '../opt-out-signal.ts';
import { cacheCampaign, campaignClosed, forgetCampaign, isClosed } from '../store/campaign-cache.ts';
import { parseAnswer } from './answers.ts';
import { loadCampaign } from './campaign.ts';
import { lifetimeBound, type ChargeRule } from './charges.ts';
import { encodeAnswer } from './encode.ts';
import { levelAssigned, levelFor, readChoices, writeChoice, type PrivacyChoice } from './privacy-level.ts';
import { levelFacts } from './level-facts.ts';
import { settle, type Result } from './errors.ts';
import { loadOrCreateSecret } from './secret.ts';
import { Transport, type FlushResult, type Pending, type TransportEvent, type TransportOptions } from './transport.ts';
import type { AccountFacts, BudgetSummary, ExplanationFacts, LevelFacts, OptOutResult, ReportResult, WorkerConfig, WorkerDeps } from './types.ts';

export type { AccountFacts, BudgetLine, BudgetSummary, Details, Explanation, ExplanationFacts, LevelFacts, OptOutResult, Receipt, ReportResult, WorkerConfig, WorkerDeps } from './types.ts';

export const PROTOCOL = 'practical-privacy-worker/1';

/** A token, or the facade's function answering the token for a UTC day (a comlink proxy across the worker boundary). */
export type TokenArgument = string | ((day: string) => Promise<string | undefined>);

interface State {
  config: WorkerConfig;
  caps: Caps;
  connection: SdkConnection;
  /** The connection's current database: after an opt-out (here or in another tab) it throws CONSENT_REQUIRED. */
  readonly db: SdkDatabase;
  campaign: Campaign;
  mechanisms: Map<string, AnyRandomizer>;
  rules: Map<string, ChargeRule>;
  permanentKeys: Map<string, string>;
  /** Questions with privacy levels: the levels within the caps (privacy-level.ts). */
  levels: Map<string, Map<number, AnyRandomizer>>;
  transportOptions: TransportOptions;
  transport: Transport;
  /** The collector answered an upload that the campaign is closed: report() refuses (CAMPAIGN_CLOSED). */
  closed?: boolean;
}

export function createWorkerApi(deps: WorkerDeps = {}) {
  const sampler = new RandomSampler(deps.random ?? cryptoRandomSource());
  const now = deps.now ?? (() => new Date());
  const doFetch: typeof fetch = deps.fetch ?? ((...args) => fetch(...args));
  let state: State | undefined;
  let onEvent: (event: TransportEvent) => void = () => undefined;
  let reportQueue: Promise<unknown> = Promise.resolve();
  let signal: BroadcastChannel | undefined;

  const log = (message: string) => {
    // Debug logs name questions, ids and ε — never an answer.
    if (state?.config.debug) (deps.log ?? console.debug)(`[practical-privacy] ${message}`);
  };

  const ready = (): State => {
    if (state === undefined) throw new PrivacyError('NOT_SUPPORTED', 'runtime', 'the worker is not initialized (call init first)');
    return state;
  };

  /** Consent is read from the database; while the refusal is recorded there is no database, and no consent. */
  const consented = async (s: State) => {
    const db = await s.connection.live();
    return db !== undefined && (await db.get('meta', 'consent')) === true;
  };
  /** What the ledger reads after an opt-out: nothing spent (the database was deleted). */
  const nothingSpent = { get: async () => undefined };
  /**
   * A new transport, over the connection as it is now (none after an opt-out): the old one stops
   * (its timer, and a run in progress before its next batch) and its outbox mirror goes with it.
   */
  const restartTransport = (s: State) => {
    s.transport.stop();
    s.transport = new Transport(s.connection.current, s.transportOptions);
  };
  const requireConsent = async (s: State) => {
    if (!(await consented(s))) throw new PrivacyError('CONSENT_REQUIRED', 'runtime', 'the patient has not opted in: nothing is computed, stored or sent');
  };

  const question = (s: State, questionId: string) => {
    const q = s.campaign.questions.find((x) => x.id === questionId);
    const mechanism = s.mechanisms.get(questionId);
    if (q === undefined || mechanism === undefined) throw new PrivacyError('INPUT_INVALID', 'input', `no question ${JSON.stringify(questionId)} in campaign ${s.campaign.id}`, { path: 'questionId' });
    return { q, mechanism };
  };

  /**
   * The figures of a question's explanation and receipt, read from the ledger, the caps and the
   * patient's privacy choice (never from an answer); the facade words them in the app's language.
   */
  const accountOf = async (s: State, q: Question, mechanism: AnyRandomizer, ledger: LedgerReader, totalSpent: number, level: LevelFacts | undefined): Promise<AccountFacts> => {
    const rule = s.rules.get(q.id)!;
    const [spent, next] = await Promise.all([questionSpent(ledger, s.campaign.id, q.id), chargeOfNext(ledger, s.campaign.id, q.id, rule)]);
    const d = mechanism.describe();
    return {
      campaignId: s.campaign.id,
      questionId: q.id,
      mechanism: d.mechanism,
      mechanismSummary: d.summary,
      epsilonPerReport: mechanism.implementedEpsilon,
      // ε∞ of a two-level question, RAPPOR's ε∞, else ε₁: what the charge rule charges (charges.ts).
      permanentEpsilon: rule.epsilon,
      ...(rule.kind === 'permanent' && isTwoLevel(mechanism) ? { instantaneousEpsilon: mechanism.instantaneousEpsilon } : {}),
      ...(rule.kind === 'permanent' ? { chargedReports: rule.count } : {}),
      lifetimeBound: lifetimeBound(rule),
      spent,
      nextCharge: next.charge,
      truthProbability: d.truthProbability,
      totalSpent,
      totalLimit: s.caps.lifetime,
      persistent: s.config.persistent !== false,
      ...(level === undefined ? {} : { level }),
    };
  };

  /** The patient's stored privacy choices (none after an opt-out: the database is gone). */
  const choicesOf = async (s: State) => {
    const db = await s.connection.live();
    return db === undefined ? {} : readChoices(db, s.campaign.id);
  };

  const api = {
    handshake(): string {
      return PROTOCOL;
    },

    async init(config: WorkerConfig, listener?: (event: TransportEvent) => void): Promise<Result<{ consented: boolean; campaignId: string; campaignVersion: number }>> {
      return settle(async () => {
        if (listener !== undefined) onEvent = listener;
        if (typeof config?.collectorUrl !== 'string') throw new PrivacyError('PARAMETER_INVALID', 'configuration', 'collectorUrl: must be a URL string', { path: 'collectorUrl' });
        const caps = resolveCaps(config.caps);
        const connection: SdkConnection = new SdkConnection(config.dbName ?? DEFAULT_DB_NAME, config.eraseTimeoutMs ?? DEFAULT_ERASE_TIMEOUT_MS, () => {
          if (state?.connection === connection) restartTransport(state);
        });
        await connection.start();
        // The cache is read and written only while the patient consents (nothing is stored before opt-in).
        const db = (await connection.current?.get('meta', 'consent')) === true ? connection.current : undefined;
        let loaded;
        try {
          loaded = await loadCampaign(config, caps, doFetch, db);
          if (loaded.fetched && db !== undefined) await cacheCampaign(db, loaded.campaign).catch(() => undefined);
        } catch (error) {
          // Closed: its cached copy and queued reports go (an event tells the app how many), then the refusal.
          if (isPrivacyError(error, 'CAMPAIGN_CLOSED')) await onEvent({ type: 'closed', campaignId: config.campaignId!, reports: await forgetCampaign(db, config.campaignId!) });
          connection.close();
          throw error;
        }
        const { campaign, mechanisms, rules, permanentKeys, levels } = loaded;
        if (!loaded.fetched && (await isClosed(db, campaign.id))) {
          connection.close();
          throw campaignClosed(campaign.id);
        }
        state?.transport.stop();
        state?.connection.close();
        const transportOptions: TransportOptions = {
          collectorUrl: config.collectorUrl,
          ...(config.ingestKey === undefined ? {} : { ingestKey: config.ingestKey }),
          fetch: doFetch,
          sampler,
          flushIntervalMs: config.flushIntervalMs ?? 30_000,
          batchSize: config.batchSize ?? 100,
          baseBackoffMs: config.baseBackoffMs ?? 1_000,
          maxBackoffMs: config.maxBackoffMs ?? 15 * 60_000,
          onEvent: (event) => {
            if (event.type === 'closed' && event.campaignId === state?.campaign.id) state.closed = true;
            onEvent(event);
          },
        };
        const transport = new Transport(connection.current, transportOptions);
        state = {
          config,
          caps,
          connection,
          get db() {
            return connection.db;
          },
          campaign,
          mechanisms,
          rules,
          permanentKeys,
          levels,
          transportOptions,
          transport,
        };
        signal?.close();
        signal = optOutChannel(config.dbName);
        // Another tab opted out: it erased the outbox this worker mirrors and may be uploading, and is
        // deleting the database: close this connection (the transport restarts over none).
        if (signal !== undefined) signal.onmessage = (event) => event.data === OPTED_OUT && state?.connection.release();
        const isIn = await consented(state);
        if (isIn && (await state.db.count('outbox')) > 0) state.transport.schedule();
        log(`initialized campaign ${campaign.id} v${campaign.version}, consent ${isIn}`);
        return { consented: isIn, campaignId: campaign.id, campaignVersion: campaign.version };
      });
    },

    async consented(): Promise<Result<boolean>> {
      return settle(async () => consented(ready()));
    },

    async optIn(): Promise<Result<void>> {
      return settle(async () => {
        const s = ready();
        // After an opt-out the database is created afresh: a new device secret, nothing else.
        const db = await s.connection.optIn();
        await loadOrCreateSecret(db);
        await db.put('meta', true, 'consent');
        // A fetched campaign is kept for offline starts from now on (store/campaign-cache.ts); a
        // failed write (quota) costs only the offline start, not the opt-in.
        if (s.config.campaign === undefined && !s.closed) await cacheCampaign(db, s.campaign).catch(() => undefined);
        log('opted in');
      });
    },

    /**
     * Stops delivery, erases every row and records the refusal, then deletes the database
     * (store/connection.ts); other tabs close their connections on the signal so the deletion is not blocked.
     */
    async optOut(): Promise<Result<OptOutResult>> {
      return settle(async () => {
        const s = ready();
        s.transport.stop();
        await s.connection.clear();
        signal?.postMessage(OPTED_OUT);
        const database = await s.connection.delete();
        log(`opted out: secret, ledger and outbox erased, database ${database}`);
        return { database };
      });
    },

    /**
     * Reports run one at a time, so the ledger's checks and the debit see each other in order.
     * `token` (issue 17): the Privacy Pass token from the app's wallet (blinded outside this worker) —
     * or, as the facade passes it, a function asked for the token of the report's own UTC day, so the
     * day the token is for and the day the report carries are one value read once here (a report made
     * across 00:00 UTC gets the new day's token, not the old one's).
     */
    async report(questionId: string, answer: unknown, token?: TokenArgument): Promise<Result<ReportResult>> {
      // A comlink proxy holds a MessagePort open on the facade's side until released.
      const run = reportQueue.then(() => reportNow(questionId, answer, token)).finally(() => typeof token === 'function' && (token as { [releaseProxy]?: () => void })[releaseProxy]?.());
      reportQueue = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },

    /** The patient's privacy choice for one question (or every question): stored on the device, honoured by every later report. */
    async setPrivacy(choice: PrivacyChoice, questionId?: string): Promise<Result<void>> {
      return settle(async () => {
        const s = ready();
        if (choice !== 'default' && choice !== 'more-private') throw new PrivacyError('INPUT_INVALID', 'input', `choice: 'default' or 'more-private', got ${JSON.stringify(choice)}`, { path: 'choice' });
        // A question whose levels the campaign draws at random cannot take the choice (privacy-level.ts).
        if (questionId !== undefined && choice === 'more-private' && levelPolicyOf(question(s, questionId).q).assignment === 'random') throw levelAssigned(questionId);
        if (questionId !== undefined) question(s, questionId);
        await requireConsent(s);
        await writeChoice(s.db, s.campaign.id, choice, questionId);
      });
    },

    async explain(questionId: string): Promise<Result<ExplanationFacts>> {
      return settle(async () => {
        const s = ready();
        const { q, mechanism } = question(s, questionId);
        const day = utcDay(now());
        // Read before the ledger transaction opens: an await on another store would let it finish.
        const level = levelFacts(q, s.levels.get(questionId), await choicesOf(s));
        const ledger = (await s.connection.live())?.transaction('ledger').store ?? nothingSpent;
        const spent = await readSpent(ledger, s.campaign.id, day);
        const when = await availabilityOf(ledger, s.campaign.id, questionId, q.period, day);
        const facts = await accountOf(s, q, level === undefined ? mechanism : s.levels.get(questionId)!.get(level.level)!, ledger, spent.lifetime, level);
        return { ...when, questionId, facts, remaining: remainingOf(spent, s.caps) };
      });
    },

    async budget(): Promise<Result<BudgetSummary>> {
      return settle(async () => {
        const s = ready();
        const day = utcDay(now());
        const db = await s.connection.live();
        const ledger = db?.transaction('ledger').store ?? nothingSpent;
        const spent = await readSpent(ledger, s.campaign.id, day);
        const questions = await Promise.all(
          s.campaign.questions.map(async (q) => {
            const rule = s.rules.get(q.id)!;
            const [when, questionTotal, next] = await Promise.all([
              availabilityOf(ledger, s.campaign.id, q.id, q.period, day),
              questionSpent(ledger, s.campaign.id, q.id),
              chargeOfNext(ledger, s.campaign.id, q.id, rule),
            ]);
            return { questionId: q.id, ...when, spent: questionTotal, nextCharge: next.charge, lifetimeBound: lifetimeBound(rule) };
          }),
        );
        const device = await deviceSpent(ledger);
        const lines = (db === undefined ? [] : await db.getAll('ledger')).map(({ campaignId, questionId, window, spent }) => ({ campaignId, questionId, window, spent }));
        return { caps: s.caps, spent, remaining: remainingOf(spent, s.caps), deviceSpent: device, lines, questions };
      });
    },

    async flush(): Promise<Result<FlushResult>> {
      return settle(async () => {
        const s = ready();
        await requireConsent(s);
        return s.transport.flush();
      });
    },

    /** Batch bodies for a page-hide beacon (the rows stay queued until acknowledged), from the transport's cache. */
    async pendingBodies(): Promise<Result<Pending>> {
      return settle(pendingNow);
    },

    close(): void {
      signal?.close();
      signal = undefined;
      state?.transport.stop();
      state?.connection.close();
      state = undefined;
    },
  };

  function reportNow(questionId: string, answer: unknown, tokenArgument?: TokenArgument): Promise<Result<ReportResult>> {
    return settle(async () => {
      const s = ready();
      await requireConsent(s);
      if (s.closed) throw campaignClosed(s.campaign.id);
      const { q, mechanism } = question(s, questionId);
      const parsed = parseAnswer(q, answer);
      const day = utcDay(now());
      const rule = s.rules.get(questionId)!;
      const debit = { campaignId: s.campaign.id, questionId, period: q.period, day, rule, caps: s.caps };
      // ALREADY_REPORTED and BUDGET_EXCEEDED first: a second report of the period is refused as
      // such, not as TOKEN_UNAVAILABLE because the period's token went with the first one.
      await checkCharge(s.db.transaction('ledger').store, debit);
      // A question with privacy levels: the patient's choice, the highest level within the caps, or the campaign's random draw (privacy-level.ts).
      const fitting = s.levels.get(questionId);
      const choices = await readChoices(s.db, s.campaign.id);
      const level = fitting === undefined ? undefined : levelFor(q, fitting, choices, sampler);
      const chosen = levelFacts(q, fitting, choices, level);
      // Issue 17: a campaign with `tokens` needs one per report, for this report's day; refused before anything is charged.
      const token = typeof tokenArgument === 'function' ? (s.campaign.tokens === undefined ? undefined : await tokenArgument(day)) : tokenArgument;
      if (s.campaign.tokens !== undefined && (token === undefined || !TOKEN_PATTERN.test(token))) {
        throw new PrivacyError('TOKEN_UNAVAILABLE', 'input', `${questionId}: this campaign needs a Privacy Pass token for the question and period (the app's token wallet has none)`);
      }

      // Only while consented: an opt-out in another tab since the check above leaves no new secret behind.
      const secret = await loadOrCreateSecret(s.db, true);
      const permanentKey = s.permanentKeys.get(questionId);
      const randomizer = level === undefined ? mechanism : fitting!.get(level)!;
      const encoded = await encodeAnswer({ question: q, mechanism: randomizer, input: parsed.input, secret, campaignId: s.campaign.id, ...(permanentKey === undefined ? {} : { permanentKey }), fresh: sampler, cohortOf: (m) => cohortOf(s, questionId, m) });
      const reportId = newReportId(sampler);
      const wire = toWireReport({ id: reportId, campaignId: s.campaign.id, campaignVersion: s.campaign.version, questionId, day }, encoded);
      const { campaignId: _c, campaignVersion: _v, ...report } = wire;
      if (level !== undefined || s.campaign.tokens !== undefined) report.ext = { ...(level === undefined ? {} : { level }), ...(s.campaign.tokens === undefined ? {} : { token }) };
      // `epsilon` is set by commitReport to the charge it decides inside the transaction.
      const outbox = { id: reportId, campaignId: s.campaign.id, campaignVersion: s.campaign.version, report, epsilon: Number.NaN, queuedAt: now().getTime() };
      const decision = await commitReport(s.db, { ...debit, outbox });
      s.transport.queued(outbox);
      s.transport.schedule();
      log(`queued report ${reportId} for ${questionId}, ε ${decision.charge}`);
      const facts = await accountOf(s, q, randomizer, s.db.transaction('ledger').store, decision.spent.lifetime, chosen);
      const receipt: ReportResult = { reportId, epsilonSpent: decision.charge, remaining: remainingOf(decision.spent, s.caps), persistent: s.config.persistent !== false, facts, ...(level === undefined ? {} : { level }) };
      // The report is committed: a failure to build the bodies must not turn it into an error.
      const pending = await pendingNow().catch(() => undefined);
      return pending === undefined ? receipt : { ...receipt, pending };
    });
  }

  /**
   * The page-hide bodies, none without consent. Consent is read after the bodies were built: an
   * opt-out (here or in another tab) that cleared the outbox before that read yields none. A
   * transport replaced meanwhile (opt-out, a new init) is asked no more: the current one answers.
   */
  async function pendingNow(): Promise<Pending> {
    for (;;) {
      const s = ready();
      const transport = s.transport;
      const pending = await transport.pending();
      const isIn = await consented(s);
      if (ready().transport === transport) return isIn ? pending : { version: pending.version, bodies: [] };
    }
  }

  async function cohortOf(s: State, questionId: string, m: number): Promise<number> {
    const key = `cohort|${ledgerKey(s.campaign.id, questionId, 'rappor')}`;
    const stored = await s.db.get('meta', key);
    if (typeof stored === 'number' && Number.isInteger(stored) && stored >= 0 && stored < m) return stored;
    const cohort = sampler.uniformInt(m);
    await s.db.put('meta', cohort, key);
    return cohort;
  }

  return api;
}

export type WorkerApi = ReturnType<typeof createWorkerApi>;

export { windowsOf };
export type { Availability };
