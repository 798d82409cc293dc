/**
 * The benchmark's campaign and its reports: one question of each non-string type (as in
 * examples/demo-campaign.json) plus a 32-category question that `auto` sends to OUE, so batches mix
 * 1-bit, 1-of-k, padding-and-sampling, numeric and unary-encoded payloads. Every report is made the
 * way a device makes it: a true answer randomized with core's device half of the question's
 * mechanism (createCampaignRandomizers), a fresh 128-bit id from the CSPRNG, and a UTC day.
 */
import { createCampaignRandomizers, cryptoRandomSource, RandomSampler, utcDay, validateCampaign, type AnyRandomizer, type EncodedReport } from '@practical-privacy/core';

export const CAMPAIGN_ID = 'bench';
export const CAMPAIGN_VERSION = 1;
export const INGEST_KEY = 'bench-ingest-key-0123456789';
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
export const READ_TOKEN = 'bench-read-token-0123456789';
export const ORIGIN = 'https://portal.example';

const codes = (list: string[]) => list.map((code) => ({ code, label: code }));

export const CAMPAIGN = {
  id: CAMPAIGN_ID,
  version: CAMPAIGN_VERSION,
  title: 'Benchmark symptom check',
  questions: [
    { id: 'fever', type: 'boolean', prompt: 'Did you have a fever today?', tier: 'high', epsilon: 1, minBatch: 20 },
    { id: 'pain', type: 'categorical', prompt: 'How bad was your pain today?', tier: 'moderate', epsilon: 2, minBatch: 20, domain: { categories: codes(['none', 'mild', 'moderate', 'severe']) } },
    { id: 'symptoms', type: 'multiselect', prompt: 'Which of these did you notice?', tier: 'moderate', epsilon: 2, minBatch: 20, domain: { items: codes(['cough', 'headache', 'fatigue', 'nausea']), maxItems: 2 } },
    { id: 'sleep', type: 'numeric', prompt: 'How many hours did you sleep?', tier: 'low', epsilon: 2, minBatch: 20, domain: { low: 0, high: 12 } },
    { id: 'area', type: 'categorical', prompt: 'Where does it hurt most?', tier: 'moderate', epsilon: 2, minBatch: 20, domain: { categories: codes(Array.from({ length: 32 }, (_, i) => `area-${i}`)) } },
  ],
};

export interface WireReport extends EncodedReport {
  id: string;
  questionId: string;
  day: string;
}

interface QuestionDraw {
  id: string;
  randomizer: AnyRandomizer;
  /** A true answer, drawn from a fixed skewed distribution. */
  truth: (rng: RandomSampler) => unknown;
}

/** Makes reports as devices would; `days` is how many recent UTC days they spread over. */
export class ReportMaker {
  readonly rng = new RandomSampler(cryptoRandomSource());
  private readonly questions: QuestionDraw[];
  private readonly days: string[];
  private readonly idBytes = new Uint8Array(16 * 1024);
  private idOffset = this.idBytes.length;
  private next = 0;

  constructor(days: number, now = new Date()) {
    const campaign = validateCampaign(CAMPAIGN);
    const randomizers = createCampaignRandomizers(campaign);
    const skewed = (k: number) => (rng: RandomSampler) => Math.min(rng.uniformInt(k), rng.uniformInt(k));
    const truths: Record<string, (rng: RandomSampler) => unknown> = {
      fever: (rng) => (rng.uniformInt(10) < 3 ? 1 : 0),
      pain: skewed(4),
      symptoms: (rng) => {
        const first = rng.uniformInt(4);
        return rng.uniformInt(2) === 0 ? [first] : [first, (first + 1 + rng.uniformInt(3)) % 4];
      },
      sleep: (rng) => 4 + rng.uniformInt(81) / 10,
      area: skewed(32),
    };
    this.questions = campaign.questions.map((q) => ({ id: q.id, randomizer: randomizers.get(q.id)!, truth: truths[q.id]! }));
    this.days = Array.from({ length: days }, (_, i) => utcDay(new Date(now.getTime() - i * 86_400_000)));
  }

  /** A fresh 128-bit id as 32 lowercase hex digits (ids are drawn 1,024 at a time). */
  private reportId(): string {
    if (this.idOffset === this.idBytes.length) {
      this.rng.bytesInto(this.idBytes);
      this.idOffset = 0;
    }
    const hex = Buffer.from(this.idBytes.buffer, this.idBytes.byteOffset + this.idOffset, 16).toString('hex');
    this.idOffset += 16;
    return hex;
  }

  report(): WireReport {
    const question = this.questions[this.next++ % this.questions.length]!;
    const day = this.days[this.rng.uniformInt(this.days.length)]!;
    const encoded = (question.randomizer as { randomize(input: unknown, rng: RandomSampler): unknown; encodeReport(report: unknown): EncodedReport }).randomize(question.truth(this.rng), this.rng);
    const wire = (question.randomizer as { encodeReport(report: unknown): EncodedReport }).encodeReport(encoded);
    return { id: this.reportId(), questionId: question.id, day, ...wire };
  }

  reports(count: number): WireReport[] {
    return Array.from({ length: count }, () => this.report());
  }

  /** The JSON body of one batch of `count` fresh reports. */
  body(count: number): string {
    return JSON.stringify({ campaignId: CAMPAIGN_ID, campaignVersion: CAMPAIGN_VERSION, reports: this.reports(count) });
  }
}

/**
 * Batch bodies for the load generator, cheap enough that generating them does not cap what the
 * bare baseline endpoint can be measured at: a pool of reports randomized once with core's
 * randomizers (question, day, payload) is combined with fresh CSPRNG report ids on every call, so
 * every request carries new ids and valid randomized payloads; only the payloads repeat across the
 * pool. One call: one random read for the ids, `count` pool picks, string concatenation.
 */
export class BodyFactory {
  private readonly tails: string[];
  private readonly prefix = `{"campaignId":"${CAMPAIGN_ID}","campaignVersion":${CAMPAIGN_VERSION},"reports":[`;

  constructor(
    private readonly maker: ReportMaker,
    poolSize: number,
  ) {
    // `{"questionId":…}` without its opening brace: the id goes in front.
    this.tails = maker.reports(poolSize).map(({ id: _id, ...rest }) => JSON.stringify(rest).slice(1));
  }

  body(count: number): string {
    const hex = Buffer.from(this.maker.rng.bytesInto(new Uint8Array(16 * count))).toString('hex');
    let out = this.prefix;
    for (let i = 0; i < count; i++) {
      out += `${i === 0 ? '' : ','}{"id":"${hex.slice(32 * i, 32 * i + 32)}",${this.tails[this.maker.rng.uniformInt(this.tails.length)]}`;
    }
    return `${out}]}`;
  }
}
