/**
 * The benchmark's clock. The SDK answers each question at most once per UTC day (its `period`), so
 * thousands of timed reports of five questions need thousands of days: the bench's workers run the
 * SDK's own worker API with an injected clock that moves one day forward as each report starts.
 * Everything else is the real path (comlink, randomization, the IndexedDB ledger and outbox); the
 * only difference from a device is that its ledger holds one day row per report.
 */
import { createWorkerApi } from '../../src/worker/api.ts';

const DAY_MS = 86_400_000;

export function createSteppingWorkerApi(): ReturnType<typeof createWorkerApi> {
  let clock = Date.now();
  const api = createWorkerApi({ now: () => new Date(clock) });
  // Reports start one at a time in call order (the worker queues them the same way), so each gets
  // its own day even with several in flight.
  let chain: Promise<unknown> = Promise.resolve();
  return {
    ...api,
    report(questionId: string, answer: unknown) {
      const run = chain.then(() => {
        clock += DAY_MS;
        return api.report(questionId, answer);
      });
      chain = run.then(
        () => undefined,
        () => undefined,
      );
      return run;
    },
  };
}
