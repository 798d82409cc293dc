/**
 * Patient view: consent first, then the daily check-in, in plain words and local time. Each
 * question says in plain words what scrambling does; its figures (ε), the SDK's `explain()` text and
 * the symptom codes are in a "Details" disclosure. After sending: a privacy receipt that says what
 * was sent, what was not and why, without one line contradicting another; report ids and what each
 * cost are in its details.
 *
 * Only answered questions are sent: pain and low mood start unanswered (no default to send by
 * mistake), a medication left empty is skipped, and no ticked symptom is the answer "none of
 * these". A skipped question is visible to the clinic as "not answered today" (nothing arrives for
 * it), and the page says so.
 *
 * One check-in a day. The SDK refuses a second report of a question in its period (UTC day) with
 * ALREADY_REPORTED, in the same IndexedDB transaction as the budget, so a second tab cannot get
 * round it; the form does not invite one: once today's check-in is done it shows that, with the
 * local date and when the next opens. Opting out deletes the SDK's database and its memory of
 * today, so the demo keeps the day of the last check-in outside it (checkin-day.ts: a date, no
 * answers) and opting back in the same day shows the check-in as done. The opt-out confirmation
 * says exactly that.
 */
import { campaign, medicationCandidates, medicationQuestion, moodQuestion, painQuestion, symptomItems, symptomLabel, symptomsQuestion, TIER_DESCRIPTIONS, type Question } from '../campaign.ts';
import { utcDay } from '@practical-privacy/core';
import { announce, h } from '../dom.ts';
import type { BudgetSummary, Explanation, FlushResult, OptOutResult, Receipt } from '@practical-privacy/sdk';
import { lastCheckInDay, recordCheckInDay } from '../checkin-day.ts';
import type { PatientClient } from '../patient-client.ts';
import type { View } from '../router.ts';
import { budgetTables } from './patient-budget.ts';
import { doneText, outcomeLines, plainNote, SKIP_TEXT } from './patient-text.ts';
import { chargeText, deliveryText } from './receipt-text.ts';
import { explanationParts, privacyChoiceCard } from './privacy-choice.ts';
import { levelLine } from './privacy-cost.ts';

export function patientView(getClient: () => Promise<PatientClient>): View {
  return {
    title: 'Daily check-in',
    render(root) {
      const heading = h('h1', { tabindex: '-1' }, 'Daily check-in');
      const body = h('div', { class: 'stack' }, h('p', { class: 'muted' }, 'Loading…'));
      root.append(heading, body);
      void getClient().then(async (client) => {
        body.replaceChildren();
        if (await client.consented()) await renderCheckIn(body, client);
        else renderConsent(body, client);
      }, (error: unknown) => body.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The privacy client could not start: ${String(error)}`)));
    },
  };
}

const labelOf = (questionId: string): string => campaign.questions.find((q) => q.id === questionId)?.label ?? questionId;

function renderConsent(body: HTMLElement, client: PatientClient, notice?: HTMLElement): void {
  const agree = h('button', { type: 'button', class: 'primary', 'data-testid': 'opt-in' }, 'I agree — start my check-ins');
  agree.addEventListener('click', async () => {
    agree.disabled = true;
    await client.optIn();
    announce('You have opted in.');
    body.replaceChildren();
    await renderCheckIn(body, client);
  });
  body.append(
    ...(notice === undefined ? [] : [notice]),
    h(
      'section',
      { class: 'card consent', 'aria-labelledby': 'consent-title' },
      h('h2', { id: 'consent-title' }, 'Before you start'),
      h('p', {}, `${campaign.title}: four short questions about how you feel today, once a day.`),
      h(
        'ul',
        {},
        h('li', {}, 'Your answers are scrambled on this phone before anything is sent. The clinic only learns totals for many patients, never your answer.'),
        h('li', {}, 'Sensitive questions get stronger scrambling, so they tell even less about you.'),
        h('li', {}, 'You can skip any question, but the clinic can see that it was not answered.'),
        h('li', {}, 'You can stop at any time: stopping erases your privacy key, your privacy record and anything not yet sent. Only the day of your last check-in is kept, so a second check-in that day is not possible.'),
      ),
      h('p', {}, 'Nothing is computed, stored or sent until you agree.'),
      agree,
    ),
  );
}

/** Today's check-in, or that it is done; the privacy budget; and the way out. */
async function renderCheckIn(body: HTMLElement, client: PatientClient): Promise<void> {
  const now = new Date();
  const today = utcDay(now);
  const summary = await client.budget();
  const answeredToday = summary.questions.some((q) => q.reportedThisPeriod);
  const remembered = lastCheckInDay() === today;
  const main = h('div', { class: 'stack' });
  const budgetSection = h('section', { class: 'card', 'aria-labelledby': 'budget-title' });
  const showBudget = async (s?: BudgetSummary): Promise<void> => {
    budgetSection.replaceChildren(h('h2', { id: 'budget-title' }, 'Your privacy budget'), budgetTables(s ?? (await client.budget())));
  };
  await showBudget(summary);
  if (answeredToday || remembered) main.append(doneCard(nextDay(summary, today), now, !answeredToday));
  else {
    main.append(
      await checkInForm(client, async (receipt) => {
        const after = await client.budget();
        main.replaceChildren(receipt, doneCard(nextDay(after, today), new Date(), false));
        await showBudget(after);
        receipt.querySelector<HTMLElement>('h2')?.focus();
      }),
    );
  }
  body.append(main, await privacyChoiceCard(client), budgetSection, optOutControl(body, client));
}

/** The first UTC day on which the check-in can be done again (tomorrow, for daily questions). */
function nextDay(summary: BudgetSummary, today: string): string {
  const next = summary.questions.filter((q) => q.reportedThisPeriod).map((q) => q.nextReportDay);
  if (next.length > 0) return next.sort()[0]!;
  const tomorrow = new Date(`${today}T00:00:00Z`);
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
  return utcDay(tomorrow);
}

function doneCard(nextUtcDay: string, now: Date, rememberedOnly: boolean): HTMLElement {
  return h(
    'section',
    { class: 'card done', 'aria-labelledby': 'done-title', 'data-testid': 'checkin-done' },
    h('h2', { id: 'done-title', tabindex: '-1' }, '✓ Today’s check-in is done'),
    h('p', {}, doneText(nextUtcDay, now, rememberedOnly)),
  );
}

function tierBadge(question: Question): HTMLElement {
  return h('span', { class: `tier tier-${question.tier}` }, TIER_DESCRIPTIONS[question.tier]);
}

/** Plain words, then a "Details" disclosure with the SDK's own explanation (ε, mechanism) and any codes. */
async function privacyNote(client: PatientClient, question: Question, extra: Array<HTMLElement | string> = []): Promise<HTMLElement> {
  const explanation = await client.explain(question.id);
  return h(
    'div',
    { class: 'privacy-note' },
    h('p', { id: `privacy-${question.id}`, 'data-testid': `plain-${question.id}` }, plainNote(question)),
    h('details', { class: 'small' }, h('summary', {}, 'Details'), h('div', { 'data-testid': `explain-${question.id}`, 'data-explain': question.id }, ...explanationParts(explanation)), ...extra),
  );
}

async function checkInForm(client: PatientClient, onSent: (receipt: HTMLElement) => Promise<void>): Promise<HTMLElement> {
  const form = h('form', { class: 'stack', 'aria-describedby': 'form-intro', novalidate: true });

  // Symptoms: checkboxes, at most maxItems (padding-and-sampling needs a bound on the set size).
  const maxItems = symptomsQuestion.domain.maxItems;
  const symptomBoxes = symptomItems.map((item, i) => h('input', { type: 'checkbox', name: 'symptoms', value: String(i), id: `symptom-${item.code}`, 'data-testid': `symptom-${item.code}` }));
  const symptomFieldset = h(
    'fieldset',
    { class: 'card question', 'aria-describedby': `symptoms-hint privacy-${symptomsQuestion.id}` },
    h('legend', {}, symptomsQuestion.prompt),
    tierBadge(symptomsQuestion),
    h('p', { class: 'hint', id: 'symptoms-hint' }, `Choose up to ${maxItems}. If you had none of these, leave them all unticked: that is sent as the answer “none of these”.`),
    h('div', { class: 'choices' }, ...symptomBoxes.map((box, i) => h('label', { class: 'choice', for: box.id }, box, h('span', {}, symptomLabel(i))))),
    await privacyNote(client, symptomsQuestion, [
      h('p', {}, `Codes (SNOMED CT): ${symptomItems.map((item) => `${item.label} ${item.code}`).join(', ')}.`),
      // explain() counts the values the scrambling works over: the symptoms plus placeholders.
      h('p', {}, `The scrambling works over ${symptomItems.length + maxItems} values: these ${symptomItems.length} symptoms and ${maxItems} placeholders (sent when fewer than ${maxItems} are ticked).`),
    ]),
  );
  const limitSymptoms = (): void => {
    const checked = symptomBoxes.filter((b) => b.checked).length;
    for (const box of symptomBoxes) box.disabled = !box.checked && checked >= maxItems;
  };
  for (const box of symptomBoxes) box.addEventListener('change', limitSymptoms);

  // The 0–10 scale as eleven choices, none chosen at first: an untouched slider would send 0.
  const painValues = Array.from({ length: painQuestion.domain.high - painQuestion.domain.low + 1 }, (_, i) => painQuestion.domain.low + i);
  const painChoices = painValues.map((value) => h('input', { type: 'radio', name: 'pain', value: String(value), id: `pain-${value}`, 'data-testid': `pain-${value}` }));
  const painFieldset = h(
    'fieldset',
    { class: 'card question', 'aria-describedby': `pain-hint privacy-${painQuestion.id}` },
    h('legend', {}, painQuestion.prompt),
    tierBadge(painQuestion),
    h('p', { class: 'hint', id: 'pain-hint' }, `${painQuestion.domain.low} = no pain, ${painQuestion.domain.high} = worst imaginable.`),
    h('div', { class: 'choices scale' }, ...painChoices.map((radio, i) => h('label', { class: 'choice', for: radio.id }, radio, h('span', {}, String(painValues[i]))))),
    clearButton('pain', painChoices),
    await privacyNote(client, painQuestion, [h('p', {}, 'The 0–10 scale is the numeric rating scale (LOINC 72514-3).')]),
  );

  const moodYes = h('input', { type: 'radio', name: 'low-mood', value: 'yes', id: 'mood-yes', 'data-testid': 'mood-yes' });
  const moodNo = h('input', { type: 'radio', name: 'low-mood', value: 'no', id: 'mood-no', 'data-testid': 'mood-no' });
  const moodFieldset = h(
    'fieldset',
    { class: 'card question', 'aria-describedby': `privacy-${moodQuestion.id}` },
    h('legend', {}, moodQuestion.prompt),
    tierBadge(moodQuestion),
    h('div', { class: 'choices inline' }, h('label', { class: 'choice', for: 'mood-yes' }, moodYes, 'Yes'), h('label', { class: 'choice', for: 'mood-no' }, moodNo, 'No')),
    clearButton('low-mood', [moodYes, moodNo]),
    await privacyNote(client, moodQuestion, [h('p', {}, 'This question paraphrases item 2 of the PHQ-2 (SNOMED CT 366979004, depressed mood).')]),
  );

  const medication = h('input', { type: 'text', id: 'medication', name: 'medication', autocomplete: 'off', list: 'medication-names', 'aria-describedby': `medication-hint privacy-${medicationQuestion.id}`, 'data-testid': 'medication', maxlength: 60 });
  const medicationFieldset = h(
    'fieldset',
    { class: 'card question' },
    h('legend', {}, h('label', { for: 'medication' }, medicationQuestion.prompt)),
    tierBadge(medicationQuestion),
    medication,
    h('datalist', { id: 'medication-names' }, ...medicationCandidates.map((name) => h('option', { value: name }))),
    h('p', { class: 'hint', id: 'medication-hint' }, `Leave empty to skip this question. The clinic counts ${medicationCandidates.length} common medicines by name; any other name is counted as “another medicine”.`),
    await privacyNote(client, medicationQuestion),
  );

  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'submit-checkin' }, 'Send my check-in');
  const status = h('div', { 'aria-live': 'polite' });
  form.append(
    h('div', { id: 'form-intro' }, h('p', { class: 'muted' }, 'Answer what you like, once a day. Each answer is scrambled on this phone before it is sent.'), h('p', { class: 'muted', 'data-testid': 'skip-note' }, SKIP_TEXT)),
    symptomFieldset,
    painFieldset,
    moodFieldset,
    medicationFieldset,
    submit,
    status,
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.replaceChildren(h('p', { class: 'muted' }, 'Scrambling and sending your answers…'));
    // Only what the patient answered; no ticked symptom is the answer "none of these".
    const answers: Array<[string, unknown]> = [[symptomsQuestion.id, symptomBoxes.filter((b) => b.checked).map((b) => symptomItems[Number(b.value)]!.code)]];
    const painChoice = painChoices.find((radio) => radio.checked);
    if (painChoice !== undefined) answers.push([painQuestion.id, Number(painChoice.value)]);
    if (moodYes.checked || moodNo.checked) answers.push([moodQuestion.id, moodYes.checked]);
    if (medication.value.trim() !== '') answers.push([medicationQuestion.id, medication.value.trim().toLowerCase()]);
    const day = utcDay(new Date());
    const receipts: Array<[string, Receipt]> = [];
    const already: string[] = [];
    const failures: string[] = [];
    // No check of its own: the SDK refuses a question already answered today (ALREADY_REPORTED) —
    // possible here only from a second tab opened before the first one's check-in.
    for (const [questionId, answer] of answers) {
      try {
        receipts.push([questionId, await client.report(questionId, answer)]);
      } catch (error) {
        if ((error as { code?: string }).code === 'ALREADY_REPORTED') already.push(questionId);
        else failures.push(notSent(questionId, error));
      }
    }
    // The day is recorded once anything of today's check-in is with the SDK (never the answers).
    if (receipts.length > 0 || already.length > 0) recordCheckInDay(day);
    // The SDK sends on a schedule; the demo flushes at once so the dashboard can show the reports.
    let delivery: FlushResult | undefined;
    try {
      delivery = await client.flush();
    } catch (error) {
      failures.push(`Sending failed (${(error as Error).message}); your scrambled answers stay on this phone and are sent automatically later.`);
    }
    // The receipt's figures per question come from the ledger (explain), never from the answer.
    const explained = await Promise.all(receipts.map(async ([questionId, receipt]) => ({ questionId, receipt, explanation: await client.explain(questionId) })));
    const skipped = campaign.questions.filter((q) => !answers.some(([id]) => id === q.id)).map((q) => q.id);
    const card = receiptCard(explained, already, skipped, failures, delivery);
    announce(failures.length === 0 ? (receipts.length > 0 ? 'Check-in sent. Your privacy receipt is below.' : 'Nothing new was sent. See the receipt below.') : 'Some answers were not sent. See the receipt below.');
    if (receipts.length > 0 || already.length > 0) await onSent(card);
    else {
      // Nothing reached the SDK (every answer refused for another reason): the form stays.
      status.replaceChildren(card);
      submit.disabled = false;
    }
  });

  return form;
}

/** Why an answer was not sent, in plain words, with the SDK's error code for reference. */
function notSent(questionId: string, error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'BUDGET_EXCEEDED') return `${labelOf(questionId)}: not sent, because it would go over the privacy limit this app keeps for you. (BUDGET_EXCEEDED)`;
  // The SDK's words for the patient (its `message` is the developer's English).
  const words = (error as { patientMessage?: string }).patientMessage ?? (error as Error).message;
  return `${labelOf(questionId)}: not sent — ${words}${code === undefined ? '' : ` (${code})`}`;
}

/** A radio group can't be unchosen by itself: this button takes the answer back (the question is then not sent). */
function clearButton(name: string, radios: HTMLInputElement[]): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'link', 'data-testid': `${name}-clear` }, 'Clear my answer (skip this question)');
  button.addEventListener('click', () => {
    for (const radio of radios) radio.checked = false;
    announce('Answer cleared: this question will not be sent.');
  });
  return button;
}

function receiptCard(receipts: Array<{ questionId: string; receipt: Receipt; explanation: Explanation }>, already: string[], skipped: string[], failures: string[], delivery: FlushResult | undefined): HTMLElement {
  const lines = outcomeLines({ sent: receipts.map((r) => labelOf(r.questionId)), alreadyAnswered: already.map(labelOf), skipped: skipped.map(labelOf) });
  const levels = levelLine(receipts.map((r) => ({ label: labelOf(r.questionId), receipt: r.receipt })));
  if (levels !== undefined) lines.push(levels);
  return h(
    'section',
    { class: 'card receipt', 'aria-labelledby': 'receipt-title', 'data-testid': 'receipt' },
    h('h2', { id: 'receipt-title', tabindex: '-1' }, 'Privacy receipt'),
    ...lines.map((line) => h('p', { 'data-testid': 'receipt-line' }, line)),
    delivery === undefined ? null : h('p', { class: 'small', 'data-testid': 'delivery' }, deliveryText(receipts.length, delivery)),
    failures.length === 0 ? null : h('div', { class: 'error', role: 'alert' }, h('p', {}, 'Not sent because of a problem:'), h('ul', {}, ...failures.map((e) => h('li', {}, e)))),
    receipts.length === 0
      ? null
      : h(
          'details',
          { class: 'small' },
          h('summary', {}, 'Details: report numbers and privacy cost'),
          h(
            'ul',
            { class: 'receipt-list' },
            ...receipts.map(({ questionId, receipt, explanation }) => h('li', { 'data-testid': `receipt-${questionId}` }, h('strong', {}, labelOf(questionId)), ` — report ${receipt.reportId.slice(0, 8)}…: ${chargeText(receipt, explanation)}.${receipt.level === undefined ? '' : ` Privacy level ε₁ = ${receipt.level}.`}`)),
          ),
        ),
  );
}

/** "Stop and erase my data", confirmed in a dialog that says what is erased and what is kept. */
function optOutControl(body: HTMLElement, client: PatientClient): HTMLElement {
  const open = h('button', { type: 'button', class: 'secondary', 'data-testid': 'opt-out' }, 'Stop and erase my data');
  const confirm = h('button', { type: 'button', class: 'primary', 'data-testid': 'opt-out-confirm' }, 'Yes, stop and erase');
  const cancel = h('button', { type: 'button', class: 'secondary', 'data-testid': 'opt-out-cancel' }, 'Cancel');
  const dialog = h(
    'dialog',
    { class: 'card', 'aria-labelledby': 'opt-out-title', 'aria-describedby': 'opt-out-what', 'data-testid': 'opt-out-dialog' },
    h('h2', { id: 'opt-out-title' }, 'Stop and erase your data?'),
    h(
      'div',
      { id: 'opt-out-what' },
      h('p', {}, 'This erases from this phone your privacy key, your privacy record (what your check-ins have used of your privacy budget) and any scrambled answers not yet sent. Nothing more is sent until you agree again. Answers already sent stay with the clinic.'),
      h('p', {}, 'Kept: only the day of your last check-in — no answers — so that starting again today does not allow a second check-in the same day.'),
    ),
    h('div', { class: 'toolbar' }, confirm, cancel),
  );
  open.addEventListener('click', () => {
    dialog.showModal();
    cancel.focus();
  });
  cancel.addEventListener('click', () => dialog.close());
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    const result = await client.optOut();
    dialog.close();
    body.replaceChildren();
    const notice = optedOutNotice(result);
    renderConsent(body, client, notice);
    notice.querySelector<HTMLElement>('h2')?.focus();
    announce('You have stopped. Your data on this phone was erased.');
  });
  return h('div', {}, open, dialog);
}

function optedOutNotice(result: OptOutResult): HTMLElement {
  const day = lastCheckInDay();
  return h(
    'section',
    { class: 'card', role: 'status', 'aria-labelledby': 'opted-out-title', 'data-testid': 'opted-out' },
    h('h2', { id: 'opted-out-title', tabindex: '-1' }, 'You have stopped'),
    h('p', {}, 'Erased from this phone: your privacy key, your privacy record and any scrambled answers not yet sent. Nothing more will be sent.'),
    result.database === 'blocked' ? h('p', {}, 'Another tab of this app still has the data open: it is erased as soon as that tab is closed, and again the next time the app starts.') : null,
    h('p', {}, day === undefined ? 'Nothing else is kept.' : 'Kept: the day of your last check-in (no answers), so a second check-in that day is not possible if you start again.'),
  );
}
