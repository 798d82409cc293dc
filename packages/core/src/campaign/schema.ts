/**
 * The campaign schema (docs/protocol.md, "Campaign"). A campaign is a survey: an id, an integer
 * version, a title and questions. One valibot schema per question type, joined by `type`, all
 * strict objects (unknown keys — `__proto__` included — are rejected) with finite numbers only.
 *
 * Defaults are applied when parsing (mechanism `auto`, period `day`, minBatch 20) so that the
 * parsed document is complete; the collector stores the parsed document, and a published version
 * with reports is immutable (a change is a new version).
 */
import * as v from 'valibot';
import { MAX_DOMAIN_SIZE, MAX_EPSILON } from '../validate.ts';
import { IdSchema, VersionSchema } from '../wire/schema.ts';
import { mechanismsFor, paddingInners } from '../mechanisms/registry.ts';

export const TIERS = ['restricted', 'high', 'moderate', 'low'] as const;
export const PERIODS = ['day', 'week'] as const;
export const QUESTION_TYPES = ['boolean', 'categorical', 'multiselect', 'numeric', 'string'] as const;
export const MAX_QUESTIONS = 200;
export const MAX_CANDIDATES = 10_000;
/**
 * Most cells in one question's sum vector (`sumsLength`): the collector stores up to this many
 * rows per question and UTC day, and every estimate holds 8 bytes per cell per day it reads. It is
 * the most any question type other than RAPPOR reaches (Hadamard at k = 65,536: K + 1 = 2^17 + 1),
 * and bounds RAPPOR's m·(k + 1) + 1 (validate.ts): k = 4096 allows m ≤ 31, k = 128 m ≤ 1016. The
 * RAPPOR class alone accepts k, m ≤ 4096 (16,781,313 cells, 128 MiB per day) for offline analysis.
 */
export const MAX_QUESTION_CELLS = 2 ** 17 + 1;
/**
 * Most Bloom positions in a RAPPOR question's candidate map (candidates × m × h): the collector
 * builds it (one hardened-v1 hash per candidate and cohort) on the question's first estimate and
 * keeps it, 4 bytes a position, and decoding sweeps a design with that many non-zeros. 2^21 is 1.6×
 * the rappor-decode benchmark's 10,000 × 64 × 2 (map 3.9 s, decode 0.27 s there).
 */
export const MAX_RAPPOR_CANDIDATE_POSITIONS = 2 ** 21;
export const DEFAULT_MIN_BATCH = 20;
/** Most privacy levels one question may allow (each level's sums are kept apart at the collector). */
export const MAX_LEVELS = 4;
/** How a report's level may be chosen (`levelPolicy.assignment`). */
export const LEVEL_ASSIGNMENTS = ['patient', 'random'] as const;
/** Largest weight of one level under random assignment (Σ ≤ 4·10⁶ < 2³²: the device draws it exactly). */
export const MAX_LEVEL_WEIGHT = 1_000_000;
/** The label of "any string not among the candidates" in a LOLOHA string question's estimates. */
export const STRING_OTHER = '(other)';

const Text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const Finite = v.pipe(v.number(), v.finite());
const Integer = (min: number, max: number) => v.pipe(v.number(), v.finite(), v.integer(), v.minValue(min), v.maxValue(max));

/** One answer option: a stable code (what analysis keys on) and the label shown to the patient. */
export const OptionSchema = v.strictObject({ code: IdSchema, label: Text(500) });

const Options = (min: number, max: number) =>
  v.pipe(
    v.array(OptionSchema),
    v.minLength(min),
    v.maxLength(max),
    v.check((options) => new Set(options.map((o) => o.code)).size === options.length, 'option codes must be unique'),
  );

const common = {
  id: IdSchema,
  prompt: Text(2000),
  /** Short label for dashboards. */
  label: v.optional(Text(200)),
  tier: v.picklist(TIERS),
  /** ε₁: what one report may reveal (the chained distribution of both levels, for a two-level mechanism). */
  epsilon: v.pipe(Finite, v.gtValue(0), v.maxValue(MAX_EPSILON)),
  /**
   * ε∞ of a permanent level, > epsilon: what ALL reports about one answer may reveal. Present ⇒
   * the question uses a two-level (longitudinal) mechanism, and `auto` picks one; absent ⇒ a
   * one-level mechanism charged ε per report (docs/privacy-model.md, "Longitudinal").
   */
  epsilonPermanent: v.optional(v.pipe(Finite, v.gtValue(0), v.maxValue(MAX_EPSILON))),
  /**
   * Privacy levels a report may use (issue 14 §2): the instantaneous ε₁ values allowed, largest
   * first, the first equal to `epsilon` (the default). Two-level questions only: every level shares
   * the question's permanent level (ε∞), so changing level never creates a new permanent response
   * or charge (campaign/levels.ts).
   */
  levels: v.optional(v.pipe(v.array(v.pipe(Finite, v.gtValue(0), v.maxValue(MAX_EPSILON))), v.minLength(2), v.maxLength(MAX_LEVELS))),
  /**
   * How a report's level is chosen (issue 14 §2; questions with `levels` only, campaign/levels.ts
   * levelPolicyOf for the defaults). `assignment`: 'patient' (default) — the default level, the
   * patient's "more private" choice, or the budget-aware step-down; 'random' — the device draws
   * level j with probability weights[j]/Σ weights (integers, one per level) independently of the
   * answer, which is what lets the collector weight levels by inverse variance. `stepDown`
   * (default true under 'patient', never under 'random'): false makes a default level above the
   * app's per-report cap a refusal (TIER_CAP_EXCEEDED) instead of a report at a lower level.
   */
  levelPolicy: v.optional(
    v.strictObject({
      assignment: v.optional(v.picklist(LEVEL_ASSIGNMENTS)),
      weights: v.optional(v.pipe(v.array(Integer(1, MAX_LEVEL_WEIGHT)), v.minLength(2), v.maxLength(MAX_LEVELS))),
      stepDown: v.optional(v.boolean()),
    }),
  ),
  period: v.optional(v.picklist(PERIODS), 'day'),
  /** Estimates from fewer reports than this are withheld. */
  minBatch: v.optional(Integer(1, 1_000_000_000), DEFAULT_MIN_BATCH),
};

export const BooleanQuestionSchema = v.strictObject({
  ...common,
  type: v.literal('boolean'),
  mechanism: v.optional(v.picklist(['auto', ...mechanismsFor('boolean')]), 'auto'),
});

export const CategoricalQuestionSchema = v.strictObject({
  ...common,
  type: v.literal('categorical'),
  mechanism: v.optional(v.picklist(['auto', ...mechanismsFor('categorical')]), 'auto'),
  domain: v.strictObject({ categories: Options(2, MAX_DOMAIN_SIZE) }),
  /** Bandwidth limit for `auto`, bits per report (selectMechanism's maxBits). */
  maxBits: v.optional(Integer(1, MAX_DOMAIN_SIZE)),
});

export const MultiselectQuestionSchema = v.strictObject({
  ...common,
  type: v.literal('multiselect'),
  mechanism: v.optional(v.picklist(['auto', ...mechanismsFor('multiselect')]), 'auto'),
  domain: v.strictObject({
    items: Options(1, MAX_DOMAIN_SIZE),
    /** L: the most items one answer may contain. */
    maxItems: Integer(1, MAX_DOMAIN_SIZE),
    /** Inner frequency oracle over k + L values; `auto` picks the lower-variance one. */
    inner: v.optional(v.picklist(['auto', ...paddingInners()]), 'auto'),
  }),
});

export const NumericQuestionSchema = v.strictObject({
  ...common,
  type: v.literal('numeric'),
  mechanism: v.optional(v.picklist(['auto', ...mechanismsFor('numeric')]), 'auto'),
  domain: v.strictObject({
    low: Finite,
    high: Finite,
    /** Steps of the fixed input grid (numeric.ts); default 1000. One-level mechanisms only. */
    gridSize: v.optional(Integer(1, 10_000)),
    /** alpha-1bit's rounding levels (its D); default 2. */
    levels: v.optional(Integer(2, 64)),
  }),
});

export const RapporParametersSchema = v.strictObject({
  k: Integer(1, 4096),
  h: Integer(1, 64),
  m: Integer(1, 4096),
  f: Finite,
  p: Finite,
  q: Finite,
  mode: v.optional(v.picklist(['google-py', 'hardened-v1']), 'hardened-v1'),
  /** hardened-v1 domain separation; default `<campaignId>/<questionId>` (stable across versions). */
  metricId: v.optional(Text(200)),
});

export const StringQuestionSchema = v.strictObject({
  ...common,
  type: v.literal('string'),
  /**
   * `rappor` (one-level per report, Google-compatible) needs `domain.rappor`; `loloha` (two-level)
   * treats the answer as one of the candidates or "other" (k = candidates + 1) and needs
   * `epsilonPermanent`. `auto`: loloha when epsilonPermanent is set, rappor otherwise.
   */
  mechanism: v.optional(v.picklist(['auto', ...mechanismsFor('string')]), 'auto'),
  domain: v.strictObject({
    /** Strings the analysis decodes against (the device may send any string). */
    candidates: v.pipe(
      v.array(Text(1000)),
      v.minLength(1),
      v.maxLength(MAX_CANDIDATES),
      v.check((c) => new Set(c).size === c.length, 'candidates must be unique'),
    ),
    rappor: v.optional(RapporParametersSchema),
  }),
});

export const QuestionSchema = v.variant('type', [BooleanQuestionSchema, CategoricalQuestionSchema, MultiselectQuestionSchema, NumericQuestionSchema, StringQuestionSchema]);

/** An issuer or origin name in a TokenChallenge: a host name (optionally :port), no commas (origin_info is comma-separated, RFC 9577 §2.1). */
const TokenPartyName = v.pipe(v.string(), v.regex(/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?$/, 'must be a host name (letters, digits, dots, hyphens; optional :port)'));

export const CampaignSchema = v.strictObject({
  id: IdSchema,
  version: VersionSchema,
  title: Text(500),
  description: v.optional(v.pipe(v.string(), v.maxLength(5000))),
  questions: v.pipe(v.array(QuestionSchema), v.minLength(1), v.maxLength(MAX_QUESTIONS)),
  // Issue 17: reports of this campaign must carry a Privacy Pass token from `issuer`, made for
  // `origin` (the collector) and the report's (question, period); docs/protocol.md, "Anonymous tokens".
  tokens: v.optional(v.strictObject({ issuer: TokenPartyName, origin: TokenPartyName })),
});

/** A campaign as written (defaults optional). */
export type CampaignInput = v.InferInput<typeof CampaignSchema>;
/** A validated campaign, defaults applied. */
export type Campaign = v.InferOutput<typeof CampaignSchema>;
export type Question = v.InferOutput<typeof QuestionSchema>;
export type QuestionInput = v.InferInput<typeof QuestionSchema>;
export type BooleanQuestion = v.InferOutput<typeof BooleanQuestionSchema>;
export type CategoricalQuestion = v.InferOutput<typeof CategoricalQuestionSchema>;
export type MultiselectQuestion = v.InferOutput<typeof MultiselectQuestionSchema>;
export type NumericQuestion = v.InferOutput<typeof NumericQuestionSchema>;
export type StringQuestion = v.InferOutput<typeof StringQuestionSchema>;
export type Tier = (typeof TIERS)[number];
export type Period = (typeof PERIODS)[number];
export type QuestionType = (typeof QUESTION_TYPES)[number];
