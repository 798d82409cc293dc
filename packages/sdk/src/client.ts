/**
 * The facade: the small main-thread half of the SDK. It never sees a randomized or raw answer beyond
 * passing the answer to the worker; all validation, randomization, hashing and storage run there.
 *
 * Worker lifecycle: a start-up handshake with a timeout (WORKER_UNAVAILABLE when it fails); if the
 * worker errors, every pending call is rejected (WORKER_UNAVAILABLE) and the next call starts a
 * fresh worker. Without Web Workers (old browsers, some SSR test runners) `createClient` refuses
 * with WORKER_UNAVAILABLE: the SDK never randomizes on the main thread.
 *
 * Nothing global (window, indexedDB, Worker, crypto) is touched at import time.
 */
import { wrap, proxy, releaseProxy, type Remote } from 'comlink';
import { isPrivacyError, PrivacyError } from '@practical-privacy/core';
import type { BudgetSummary, Explanation, OptOutResult, Receipt, WorkerApi, WorkerConfig } from './worker/api.ts';
import { errorMessageKey, resolveMessages, type Messages } from './messages.ts';
import { detailsOf, plainText } from './explain-text.ts';
import type { FlushResult, Pending, TransportEvent } from './worker/transport.ts';
import { unwrap, type Result } from './worker/errors.ts';
import { createSdkWorker, sdkWorkerUrl } from './create-worker.ts';
import { reportsUrl } from './reports-url.ts';
import { OPTED_OUT, optOutChannel } from './opt-out-signal.ts';
import type { AnswersOf, CampaignDefinition } from './typed-campaign.ts';

export interface ClientOptions extends WorkerConfig {
  /** Start-up handshake timeout (ms). */
  handshakeTimeoutMs?: number;
  /** Called when the collector refuses a batch for good, or on send/retry. */
  onEvent?: (event: TransportEvent) => void;
  /**
   * Where the worker script is served from, when the app hosts `dist/worker.js` itself. Default: next
   * to the SDK module (the URL bundlers rewrite).
   */
  workerUrl?: string | URL;
  /** For tests: how to start the worker. */
  createWorker?: () => Worker;
  /**
   * Issue 17: where reports of a campaign with `tokens` get their Privacy Pass token — a wallet from
   * `createTokenWallet` (`@practical-privacy/sdk/tokens`), which fetches them ahead through the app's
   * `tokenProvider`. Without it such a campaign's reports are refused with TOKEN_UNAVAILABLE.
   */
  tokens?: TokenSource;
  /**
   * Issue 14 §4: the app's own words for every text the SDK gives a patient — explain(), receipts,
   * and the `patientMessage` of every error — by message key (src/messages.ts). Keys left out use
   * the English defaults. An unknown key or a value that is not a function is PARAMETER_INVALID.
   */
  messages?: Partial<Messages>;
}

/** A PrivacyError as the client rejects with it: `patientMessage` is its text for the patient, in the app's language; `message` is for developers. */
export type PatientFacingError = PrivacyError & { patientMessage: string };

/** What the facade needs of a token wallet (a structural type, so the facade does not import the wallet). */
export interface TokenSource {
  take(campaignId: string, questionId: string, day: string): Promise<{ token: string } | undefined>;
  spent(token: { token: string }): Promise<void>;
  /** Deletes every held token (called by optOut). */
  erase?(): Promise<void>;
  /** Starts the wallet's automatic refill (called once the patient has consented: at start, or by optIn). */
  start?(campaignId: string): void;
  /** Stops it (called by close). */
  stop?(campaignId: string): void;
}

/**
 * `Answers`: question id → answer type. Inferred from a campaign defined in code
 * (src/typed-campaign.ts); a fetched campaign's client takes any id and `unknown`, checked at run time.
 */
export interface Client<Answers extends object = Record<string, unknown>> {
  consented(): Promise<boolean>;
  optIn(): Promise<void>;
  /** Erases everything and deletes the database; `database: 'blocked'` when another connection kept it open (see OptOutResult). */
  optOut(): Promise<OptOutResult>;
  report<Q extends keyof Answers & string>(questionId: Q, answer: Answers[Q]): Promise<Receipt>;
  explain(questionId: keyof Answers & string): Promise<Explanation>;
  /**
   * The patient's privacy choice: 'more-private' reports a question that has privacy levels at its
   * strictest level from now on (every question when `questionId` is omitted); 'default' undoes it.
   * Stored on the device; visible to the collector with each report (its level). A question whose
   * campaign assigns its level at random (`levelPolicy.assignment: 'random'`) cannot take the
   * choice: setPrivacy for it, and its reports under a choice for every question, are refused with
   * LEVEL_ASSIGNED (nothing reported or charged).
   */
  setPrivacy(choice: 'default' | 'more-private', questionId?: keyof Answers & string): Promise<void>;
  budget(): Promise<BudgetSummary>;
  flush(): Promise<FlushResult>;
  close(): void;
}

/** A campaign defined in code: `report()` is typed by its question ids and answer types. */
export function createClient<const C extends CampaignDefinition>(options: ClientOptions & { campaign: C }): Promise<Client<AnswersOf<C>>>;
/** A fetched campaign (`campaignId`, `campaignUrl`), or one whose type is not a campaign literal: `report(string, unknown)`. */
export function createClient(options: ClientOptions): Promise<Client>;
export async function createClient(options: ClientOptions): Promise<Client> {
  const { handshakeTimeoutMs = 10_000, onEvent, workerUrl, createWorker = () => createSdkWorker(workerUrl), tokens, messages, ...config } = options;
  const say = resolveMessages(messages);
  // Every PrivacyError the client rejects with carries the patient's words for it.
  const withPatientMessage = (error: unknown): unknown => {
    if (isPrivacyError(error) && !('patientMessage' in error)) Object.assign(error, { patientMessage: say(errorMessageKey(error.code), { code: error.code }) });
    return error;
  };
  const campaignId = config.campaignId ?? (config.campaign as { id?: string } | undefined)?.id;
  // Named in WORKER_UNAVAILABLE messages, so a worker that fails to load says which URL failed.
  const workerName = () => String(workerUrl ?? (options.createWorker === undefined ? sdkWorkerUrl() : 'the injected worker'));
  if (typeof Worker === 'undefined' && options.createWorker === undefined) {
    throw withPatientMessage(new PrivacyError('WORKER_UNAVAILABLE', 'runtime', 'Web Workers are not available: the SDK only randomizes answers inside a worker'));
  }
  const persistent = await requestPersistence();
  const workerConfig: WorkerConfig = { ...config, persistent: config.persistent ?? persistent };
  const pending = new Set<(error: PrivacyError) => void>();
  let worker: Worker | undefined;
  let remote: Remote<WorkerApi> | undefined;
  let starting: Promise<Remote<WorkerApi>> | undefined;
  // The page-hide bodies, kept current by the worker: every report() answers with them, and they
  // are asked for again after a (re)start, a flush, an opt-out and an upload ('sent' / 'dropped').
  // `seen` is the version of the bodies kept: answers can arrive out of order (an upload's refresh
  // against a report's), and one older than those kept is ignored. Versions count per worker, so a
  // new worker starts afresh; the old one's calls were all rejected when it failed (fail()), so no
  // late answer of it reaches keep().
  // `epoch` counts opt-outs signalled by other tabs: an answer to a call made before one may hold
  // erased reports (built before the erase reached this worker), so it is not kept.
  let bodies: string[] = [];
  let seen = -1;
  let epoch = 0;
  let started = false;
  const keep = (pending: Pending, at: number) => {
    if (at !== epoch || pending.version < seen) return;
    seen = pending.version;
    bodies = pending.bodies;
  };

  const fail = (message: string) => {
    const error = new PrivacyError('WORKER_UNAVAILABLE', 'runtime', message);
    for (const reject of pending) reject(error);
    pending.clear();
    worker?.terminate();
    worker = undefined;
    remote = undefined;
    starting = undefined;
    return error;
  };

  const start = async (): Promise<Remote<WorkerApi>> => {
    const w = (worker = createWorker());
    // Until the handshake answers, an `error` (the script failed to load or threw at start-up) or a
    // `messageerror` rejects start-up at once, naming the worker URL; later they fail pending calls.
    let handshaking = true;
    let rejectStart: (error: PrivacyError) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (rejectStart = reject));
    const onFailure = (what: string) => (event: Event) => {
      event.preventDefault?.();
      if (worker !== w) return;
      const detail = (event as ErrorEvent).message;
      const error = fail(handshaking ? `the SDK worker ${workerName()} failed to load (${what}${detail ? `: ${detail}` : ''})` : `the SDK worker failed: ${detail ?? what}`);
      if (handshaking) rejectStart(error);
    };
    w.addEventListener('error', onFailure('error'));
    w.addEventListener('messageerror', onFailure('messageerror'));
    const r = wrap<WorkerApi>(w);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), handshakeTimeoutMs)));
    try {
      await Promise.race([r.handshake(), timeout, failed]);
    } catch (error) {
      if (isPrivacyError(error, 'WORKER_UNAVAILABLE')) throw error;
      throw fail(`the SDK worker ${workerName()} did not answer within ${handshakeTimeoutMs} ms`);
    } finally {
      handshaking = false;
      clearTimeout(timer);
    }
    try {
      unwrap(
        await r.init(
          workerConfig,
          proxy((event: TransportEvent) => {
            if (event.type !== 'retry') void refreshBodies();
            // The app's listener failing is the app's error (reported as uncaught), not the worker's:
            // it must not turn a refusal such as CAMPAIGN_CLOSED into another one.
            try {
              onEvent?.(event);
            } catch (error) {
              setTimeout(() => {
                throw error;
              });
            }
          }),
        ),
      );
    } catch (error) {
      // A refused configuration (e.g. TIER_CAP_EXCEEDED) leaves no worker running; the next call retries.
      worker?.terminate();
      worker = undefined;
      starting = undefined;
      throw error;
    }
    remote = r;
    seen = -1;
    if (started) void refreshBodies();
    started = true;
    return r;
  };

  const call = <T>(work: (r: Remote<WorkerApi>) => Promise<Result<T>>): Promise<T> =>
    callWorker(work).catch((error: unknown) => {
      throw withPatientMessage(error);
    });
  const callWorker = async <T>(work: (r: Remote<WorkerApi>) => Promise<Result<T>>): Promise<T> => {
    const r = remote ?? (await (starting ??= start()));
    return new Promise<T>((resolve, reject) => {
      pending.add(reject);
      work(r).then(
        (result) => {
          pending.delete(reject);
          try {
            resolve(unwrap(result));
          } catch (error) {
            reject(error);
          }
        },
        (error: unknown) => {
          pending.delete(reject);
          reject(error);
        },
      );
    });
  };

  const refreshBodies = () => {
    const at = epoch;
    return call((r) => r.pendingBodies()).then((p) => keep(p, at), () => undefined);
  };

  // Page hide: hand the queued batches to the browser, which sends them after the page is gone.
  // They stay in the outbox until acknowledged, so a later flush may send them again — the collector
  // deduplicates by report id.
  const onHide = (event: Event) => {
    if (event.type === 'visibilitychange' && typeof document !== 'undefined' && document.visibilityState !== 'hidden') return;
    const url = reportsUrl(config.collectorUrl, config.ingestKey);
    for (const body of bodies) {
      const sent = typeof navigator !== 'undefined' && typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(url, body);
      if (!sent) void fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit', headers: { 'content-type': 'text/plain;charset=UTF-8' } }).catch(() => undefined);
    }
  };
  // An opt-out in another tab (src/opt-out-signal.ts): its reports are erased, so drop the bodies
  // now, synchronously, before any page hide can beacon them. The worker hears it too and drops its
  // mirror; consent is read from IndexedDB on every call, so report() refuses from now on. Listened
  // to before the first bodies are asked for, so no opt-out falls between the two.
  const signal = optOutChannel(config.dbName);
  if (signal !== undefined) {
    signal.onmessage = (event) => {
      if (event.data !== OPTED_OUT) return;
      bodies = [];
      epoch++;
      // Opted out in another tab: no more automatic token refills here either.
      if (campaignId !== undefined) tokens?.stop?.(campaignId);
    };
  }
  try {
    await call(async () => ({ ok: true, value: undefined }) as Result<undefined>);
  } catch (error) {
    signal?.close();
    throw error;
  }
  await refreshBodies();
  // Issue 17: the wallet refills by itself when low, only for a patient who consented (never before, never after an opt-out).
  const startTokens = () => {
    if (campaignId !== undefined) tokens?.start?.(campaignId);
  };
  if (tokens?.start !== undefined && (await call((r) => r.consented()).catch(() => false))) startTokens();
  // Back online: send what waited offline now rather than when the backoff timer (up to
  // `maxBackoffMs`) fires. Not tied to any answer, so it says nothing about when one was given.
  const onOnline = () => void call((r) => r.flush()).then(refreshBodies, () => undefined);
  if (typeof addEventListener === 'function') {
    addEventListener('pagehide', onHide);
    addEventListener('visibilitychange', onHide);
    addEventListener('online', onOnline);
  }

  return {
    consented: () => call((r) => r.consented()),
    optIn: async () => {
      await call((r) => r.optIn());
      startTokens();
    },
    optOut: async () => {
      const result = await call((r) => r.optOut());
      // Issue 17: the wallet's unspent tokens go too (they hold no answer, but opting out leaves nothing of the SDK behind).
      await tokens?.erase?.();
      bodies = [];
      await refreshBodies();
      return result;
    },
    report: async (questionId, answer) => {
      // `pending` stays on this side: the receipt the app gets is the public Receipt.
      const at = epoch;
      // Issue 17: the token comes from the app's wallet (`@practical-privacy/sdk/tokens`), on this
      // side, so the Privacy Pass client code stays out of the worker. The worker asks for it with
      // the report's own UTC day (after its ALREADY_REPORTED and budget checks), so a report made
      // across 00:00 UTC carries the token of the day it is dated. It is marked spent only once the
      // report is queued (a refused report keeps it).
      // A wallet's refusal is kept here and rethrown as it was (its code and the patient's words):
      // an error thrown across comlink into the worker would arrive as a plain Error.
      let token: { token: string } | undefined;
      let walletError: unknown;
      const tokenFor =
        tokens === undefined || campaignId === undefined
          ? undefined
          : proxy(async (day: string) => {
              try {
                return (token = await tokens.take(campaignId, questionId, day))?.token;
              } catch (error) {
                walletError = error;
                return undefined;
              }
            });
      const { pending, facts, ...receipt } = await call((r) => r.report(questionId, answer, tokenFor)).catch((error: unknown) => {
        throw walletError === undefined ? error : withPatientMessage(walletError);
      });
      if (token !== undefined) await tokens!.spent(token);
      if (pending === undefined) void refreshBodies();
      else keep(pending, at);
      return { ...receipt, explanation: plainText(say, facts), details: detailsOf(say, facts) };
    },
    explain: async (questionId) => {
      const { facts, ...when } = await call((r) => r.explain(questionId));
      return {
        ...when,
        mechanism: facts.mechanism,
        epsilonPerReport: facts.epsilonPerReport,
        permanentEpsilon: facts.permanentEpsilon,
        ...(facts.chargedReports === undefined ? {} : { chargedReports: facts.chargedReports }),
        lifetimeBound: facts.lifetimeBound,
        spent: facts.spent,
        nextCharge: facts.nextCharge,
        truthProbability: facts.truthProbability,
        persistent: facts.persistent,
        ...(facts.level === undefined ? {} : { level: facts.level.level }),
        text: plainText(say, facts, when),
        details: detailsOf(say, facts),
      };
    },
    setPrivacy: (choice, questionId) => call((r) => r.setPrivacy(choice, questionId)),
    budget: () => call((r) => r.budget()),
    flush: async () => {
      const result = await call((r) => r.flush());
      await refreshBodies();
      return result;
    },
    close: () => {
      if (typeof removeEventListener === 'function') {
        removeEventListener('pagehide', onHide);
        removeEventListener('visibilitychange', onHide);
        removeEventListener('online', onOnline);
      }
      if (campaignId !== undefined) tokens?.stop?.(campaignId);
      signal?.close();
      remote?.[releaseProxy]();
      worker?.terminate();
      worker = undefined;
      remote = undefined;
    },
  };
}

async function requestPersistence(): Promise<boolean> {
  try {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    if (storage?.persist === undefined) return false;
    return (await storage.persisted()) || (await storage.persist());
  } catch {
    return false;
  }
}
