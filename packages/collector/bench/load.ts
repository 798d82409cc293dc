/**
 * One load run against a server: autocannon over loopback, every request a fresh batch body, every
 * 202 answer's `accepted` and `duplicates` added up (the acknowledged reports).
 *
 * A run is a fixed number of requests (autocannon's `amount`), not a fixed time: a time-limited
 * run destroys its connections with batches still in flight, which the server may commit without
 * the answer ever being read — then "stored" would exceed "acknowledged" for no fault of the
 * server. With `amount`, every request sent gets its answer. A short probe and warm-up rounds of about
 * `warmupSeconds` come first; the last round's rate sets the amount that makes the measured run
 * last about `seconds`. Throughput is timed from the start of the measured run to its last answer (autocannon's
 * own duration is rounded up to its 1 s tick).
 */
import autocannon, { type Result } from 'autocannon';

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  /** A new request body on every call. */
  body: () => string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** At most this many requests in the measured run, read after the warm-up (a finite body supply: pre-minted tokens). */
  maxMeasuredRequests?: () => number;
}

export interface Tally {
  requests: number;
  accepted: number;
  duplicates: number;
  /** Answers other than 202, by status. */
  refused: Record<string, number>;
  firstRefusal?: string;
}

export interface LoadResult {
  /** Acknowledged reports per second in the measured run. */
  reportsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  requests: number;
  seconds: number;
  errors: number;
  timeouts: number;
  /** Everything acknowledged by this server, warm-up included. */
  total: Tally;
  measured: Tally;
}

function emptyTally(): Tally {
  return { requests: 0, accepted: 0, duplicates: 0, refused: {} };
}

async function run(options: LoadOptions, amount: number, tallies: Tally[]): Promise<{ result: Result; seconds: number }> {
  const started = performance.now();
  let last = started;
  const result = await autocannon({
    url: `${options.url}/v1/reports`,
    method: 'POST',
    headers: options.headers,
    connections: options.connections,
    pipelining: 1,
    amount,
    timeout: 60,
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: options.body() }),
        onResponse: (status, body) => {
          last = performance.now();
          for (const tally of tallies) {
            tally.requests += 1;
            if (status === 202) {
              const answer = JSON.parse(body) as { accepted: number; duplicates: number };
              tally.accepted += answer.accepted;
              tally.duplicates += answer.duplicates;
            } else {
              tally.refused[status] = (tally.refused[status] ?? 0) + 1;
              tally.firstRefusal ??= `${status} ${body.slice(0, 300)}`;
            }
          }
        },
      },
    ],
  });
  return { result, seconds: (last - started) / 1000 };
}

export async function loadRun(options: LoadOptions): Promise<LoadResult> {
  const total = emptyTally();
  // Warm-up: a short probe, then rounds sized for `warmupSeconds` at the last rate seen, until a
  // round lasts at least 70% of that (the server got no faster since the previous round).
  const probe = options.connections * 5;
  let rate = probe / (await run(options, probe, [total])).seconds;
  for (let round = 0; round < 4; round++) {
    const warmup = Math.max(probe, Math.round(rate * options.warmupSeconds));
    const { seconds } = await run(options, warmup, [total]);
    rate = warmup / seconds;
    if (seconds >= 0.7 * options.warmupSeconds) break;
  }
  const measured = emptyTally();
  const wanted = Math.max(options.connections, Math.round(rate * options.seconds));
  const amount = Math.min(wanted, options.maxMeasuredRequests?.() ?? Infinity);
  if (amount < options.connections) throw new Error(`load run: only ${amount} requests left for the measured run`);
  const { result, seconds } = await run(options, amount, [total, measured]);
  return {
    reportsPerSecond: measured.accepted / seconds,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    requests: measured.requests,
    seconds,
    errors: result.errors,
    timeouts: result.timeouts,
    total,
    measured,
  };
}
