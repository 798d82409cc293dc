/**
 * What the patient view needs from the SDK, as one small interface. `createPatientClient()`
 * returns the implementation backed by @practical-privacy/sdk (worker, IndexedDB, ledger,
 * outbox); the view never touches a mechanism itself.
 */
export interface Explanation {
  questionId: string;
  /** One or two sentences a patient can read. */
  text: string;
  epsilon: number;
  /** Probability that the report carries the true answer (simplest reading of the mechanism). */
  truthProbability?: number;
}

export interface Receipt {
  questionId: string;
  reportId: string;
  epsilonSpent: number;
  /** ε left for this question in the current period, if the client tracks it. */
  remaining: number;
  explanation: string;
}

export interface BudgetLine {
  questionId: string;
  period: string;
  spent: number;
  cap: number;
  remaining: number;
}

export interface PatientClient {
  readonly kind: string;
  consented(): Promise<boolean>;
  optIn(): Promise<void>;
  optOut(): Promise<void>;
  explain(questionId: string): Promise<Explanation>;
  report(questionId: string, answer: unknown): Promise<Receipt>;
  budget(): Promise<BudgetLine[]>;
  /** Sends what is queued now (the SDK otherwise sends on a schedule). */
  flush(): Promise<void>;
}
