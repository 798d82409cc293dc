/**
 * Patient view: consent first, then the daily check-in. Each question shows its sensitivity tier
 * and the plain-language explanation from the client's `explain()`; after submitting, a privacy
 * receipt lists what was sent (report ids and ε, never the answers) and the budget left.
 *
 * Only answered questions are sent: pain and low mood start unanswered (no default to send by
 * mistake), a medication left empty is skipped, and no ticked symptom means "none of these".
 *
 * What the receipt says of a question is what the SDK's receipt and `explain()` say — the charge
 * of this report and the most all reports of the question can ever cost (D·ε∞ for a two-level
 * question) — figures that depend on how many reports the question has had, never on an answer.
 *
 * Each question is answered at most once per UTC day: the SDK refuses a second report of a
 * question in its period with ALREADY_REPORTED (checked in the same IndexedDB transaction as the
 * budget, so a second tab cannot get round it), and the receipt says so in plain words.
 */
import { campaign, medicationCandidates, medicationQuestion, moodQuestion, painQuestion, symptomItems, symptomLabel, symptomsQuestion, TIER_DESCRIPTIONS, type Question } from '../campaign.ts';
import { utcDay } from '@practical-privacy/core';
import { announce, formatNumber, h } from '../dom.ts';
import type { Availability, Explanation, FlushResult, Receipt } from '@practical-privacy/sdk';
import type { PatientClient } from '../patient-client.ts';
import type { View } from '../router.ts';
import { chargeText, deliveryText } from './receipt-text.ts';

export function patientView(getClient: () => Promise<PatientClient>): View {
  return {
    title: 'Daily check-in',
    render(root) {
      const heading = h('h1', { tabindex: '-1' }, 'Daily check-in');
      const body = h('div', { class: 'stack' }, h('p', { class: 'muted' }, 'Loading…'));
      root.append(heading, body);
      void getClient().then(async (client) => {
        body.replaceChildren();
        if (await client.consented()) await renderForm(body, client);
        else renderConsent(body, client);
      }, (error: unknown) => body.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The privacy client could not start: ${String(error)}`)));
    },
  };
}

function renderConsent(body: HTMLElement, client: PatientClient): void {
  const agree = h('button', { type: 'button', class: 'primary', 'data-testid': 'opt-in' }, 'I agree — start my check-ins');
  agree.addEventListener('click', async () => {
    agree.disabled = true;
    await client.optIn();
    announce('You have opted in.');
    body.replaceChildren();
    await renderForm(body, client);
  });
  body.append(
    h(
      'section',
      { class: 'card consent', 'aria-labelledby': 'consent-title' },
      h('h2', { id: 'consent-title' }, 'Before you start'),
      h('p', {}, `${campaign.title}: four short questions about how you feel today.`),
      h(
        'ul',
        {},
        h('li', {}, 'Your answers are scrambled on this device before anything is sent. The clinic only learns totals for many patients, never your answer.'),
        h('li', {}, 'Sensitive questions get stronger scrambling, so they tell even less about you.'),
        h('li', {}, 'You can stop at any time; stopping erases everything this app stored.'),
      ),
      h('p', {}, 'Nothing is computed, stored or sent until you agree.'),
      agree,
    ),
  );
}

function tierBadge(question: Question): HTMLElement {
  return h('span', { class: `tier tier-${question.tier}` }, TIER_DESCRIPTIONS[question.tier]);
}

async function privacyNote(client: PatientClient, question: Question): Promise<HTMLElement> {
  const note = h('p', { class: 'privacy-note', id: `privacy-${question.id}`, 'data-testid': `explain-${question.id}` });
  await refreshNote(client, question, note);
  return note;
}

/** The SDK's explanation; after an answer it also says from which day the question can be answered again. */
async function refreshNote(client: PatientClient, question: Question, note: HTMLElement): Promise<void> {
  const explanation = await client.explain(question.id);
  note.replaceChildren(h('span', { class: 'privacy-label' }, 'Privacy: '), explanation.text);
}

async function renderForm(body: HTMLElement, client: PatientClient): Promise<void> {
  const form = h('form', { class: 'stack', 'aria-describedby': 'form-intro', novalidate: true });
  const notes = await Promise.all(campaign.questions.map((q) => privacyNote(client, q)));
  const note = (q: Question) => notes[campaign.questions.indexOf(q)]!;

  // Symptoms: checkboxes, at most maxItems (padding-and-sampling needs a bound on the set size).
  const symptomBoxes = symptomItems.map((item, i) =>
    h('input', { type: 'checkbox', name: 'symptoms', value: String(i), id: `symptom-${item.code}`, 'data-testid': `symptom-${item.code}` }),
  );
  const symptomHint = h('p', { class: 'hint', id: 'symptoms-hint' }, `Choose up to ${symptomsQuestion.domain.maxItems}. Leave all unticked if you had none of these.`);
  const symptomFieldset = h(
    'fieldset',
    { class: 'card question', 'aria-describedby': `symptoms-hint privacy-${symptomsQuestion.id}` },
    h('legend', {}, symptomsQuestion.prompt),
    tierBadge(symptomsQuestion),
    symptomHint,
    h(
      'div',
      { class: 'choices' },
      ...symptomBoxes.map((box, i) => h('label', { class: 'choice', for: box.id }, box, h('span', {}, symptomLabel(i)), h('span', { class: 'code' }, `SNOMED CT ${symptomItems[i]!.code}`))),
    ),
    note(symptomsQuestion),
  );
  const limitSymptoms = (): void => {
    const checked = symptomBoxes.filter((b) => b.checked).length;
    for (const box of symptomBoxes) box.disabled = !box.checked && checked >= symptomsQuestion.domain.maxItems;
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
    note(painQuestion),
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
    note(moodQuestion),
  );

  const medication = h('input', { type: 'text', id: 'medication', name: 'medication', autocomplete: 'off', list: 'medication-names', 'aria-describedby': `privacy-${medicationQuestion.id}`, 'data-testid': 'medication', maxlength: 60 });
  const medicationFieldset = h(
    'fieldset',
    { class: 'card question' },
    h('legend', {}, h('label', { for: 'medication' }, medicationQuestion.prompt)),
    tierBadge(medicationQuestion),
    medication,
    h('datalist', { id: 'medication-names' }, ...medicationCandidates.map((name) => h('option', { value: name }))),
    h('p', { class: 'hint' }, 'Leave empty to skip this question.'),
    note(medicationQuestion),
  );

  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'submit-checkin' }, 'Send my check-in');
  const status = h('div', { 'aria-live': 'polite' });
  form.append(h('p', { id: 'form-intro', class: 'muted' }, 'Answer what you like. Each answer is scrambled on this device before it is sent.'), symptomFieldset, painFieldset, moodFieldset, medicationFieldset, submit, status);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.replaceChildren(h('p', { class: 'muted' }, 'Scrambling and queuing your answers…'));
    // Only what the patient answered; no ticked symptom is the answer "none of these".
    const answers: Array<[string, unknown]> = [[symptomsQuestion.id, symptomBoxes.filter((b) => b.checked).map((b) => symptomItems[Number(b.value)]!.code)]];
    const painChoice = painChoices.find((radio) => radio.checked);
    if (painChoice !== undefined) answers.push([painQuestion.id, Number(painChoice.value)]);
    if (moodYes.checked || moodNo.checked) answers.push([moodQuestion.id, moodYes.checked]);
    if (medication.value.trim() !== '') answers.push([medicationQuestion.id, medication.value.trim().toLowerCase()]);
    const receipts: Array<[string, Receipt]> = [];
    const refused: Array<[string, unknown]> = [];
    // No check of its own: the SDK refuses a question already answered today (ALREADY_REPORTED).
    for (const [questionId, answer] of answers) {
      try {
        receipts.push([questionId, await client.report(questionId, answer)]);
      } catch (error) {
        refused.push([questionId, error]);
      }
    }
    const availability = refused.length === 0 ? [] : (await client.budget()).questions;
    const errors = refused.map(([questionId, error]) => notSent(questionId, error, availability.find((a) => a.questionId === questionId)));
    // The SDK sends on a schedule; the demo flushes at once so the dashboard can show the reports.
    let delivery: FlushResult | undefined;
    try {
      delivery = await client.flush();
    } catch (error) {
      errors.push(`delivery: ${(error as Error).message} (the reports stay queued and will be retried)`);
    }
    // The receipt's words per question come from the ledger (explain), never from the answer.
    const explained = await Promise.all(receipts.map(async ([questionId, receipt]) => ({ questionId, receipt, explanation: await client.explain(questionId) })));
    status.replaceChildren(receiptCard(explained, errors, delivery));
    budgetSection.replaceChildren(budgetHeading, await budgetTable(client));
    await Promise.all(campaign.questions.map((q) => refreshNote(client, q, note(q))));
    announce(errors.length === 0 ? 'Check-in sent. Your privacy receipt is below.' : receipts.length === 0 ? 'Nothing was sent. See the details below.' : 'Some answers were not sent. See the details below.');
    submit.disabled = false;
  });

  const budgetHeading = h('h2', { id: 'budget-title' }, 'Your privacy budget today');
  const budgetSection = h('section', { class: 'card', 'aria-labelledby': 'budget-title' }, budgetHeading, await budgetTable(client));
  const optOut = h('button', { type: 'button', class: 'secondary', 'data-testid': 'opt-out' }, 'Stop and erase my data');
  optOut.addEventListener('click', async () => {
    await client.optOut();
    announce('You have opted out. Everything this app stored was erased.');
    body.replaceChildren();
    renderConsent(body, client);
  });

  body.append(form, budgetSection, optOut);
}

/** Why an answer was not sent, in plain words, with the SDK's error code for reference. */
function notSent(questionId: string, error: unknown, availability: Availability | undefined): string {
  const label = campaign.questions.find((q) => q.id === questionId)?.label ?? questionId;
  const code = (error as { code?: string }).code;
  if (code === 'ALREADY_REPORTED') {
    const when = availability?.period === 'week' ? 'this week' : 'today';
    const again = availability === undefined ? '' : ` You can answer it again from ${availability.nextReportDay} (UTC).`;
    return `${label}: you already answered this ${when}, so nothing was sent again.${again} (ALREADY_REPORTED)`;
  }
  if (code === 'BUDGET_EXCEEDED') return `${label}: this answer would use more privacy budget than this app allows, so nothing was sent. (BUDGET_EXCEEDED)`;
  return `${label}: not sent — ${(error as Error).message}${code === undefined ? '' : ` (${code})`}`;
}

async function budgetTable(client: PatientClient): Promise<HTMLElement> {
  const summary = await client.budget();
  const today = `day:${utcDay(new Date())}`;
  const spentToday = (questionId: string) => summary.lines.filter((l) => l.questionId === questionId && l.window === today).reduce((a, l) => a + l.spent, 0);
  const perQuestion = (questionId: string) => summary.questions.find((q) => q.questionId === questionId);
  return h(
    'div',
    { 'data-testid': 'budget' },
    h(
      'table',
      { class: 'data-table' },
      h('caption', {}, 'Spent per question'),
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, 'Question'), h('th', { scope: 'col', class: 'num' }, 'ε today'), h('th', { scope: 'col', class: 'num' }, 'ε so far'), h('th', { scope: 'col', class: 'num' }, 'ε at most, ever')),
      ),
      h(
        'tbody',
        {},
        ...campaign.questions.map((q) => {
          const line = perQuestion(q.id);
          return h(
            'tr',
            { 'data-testid': `budget-${q.id}` },
            h('th', { scope: 'row' }, q.label ?? q.id),
            h('td', { class: 'num' }, formatNumber(spentToday(q.id))),
            h('td', { class: 'num' }, line === undefined ? '–' : formatNumber(line.spent)),
            h('td', { class: 'num' }, line === undefined ? '–' : Number.isFinite(line.lifetimeBound) ? formatNumber(line.lifetimeBound) : 'no limit'),
          );
        }),
      ),
    ),
    h(
      'table',
      { class: 'data-table' },
      h('caption', {}, 'Left for this check-in campaign'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Period'), h('th', { scope: 'col', class: 'num' }, 'ε left'), h('th', { scope: 'col', class: 'num' }, 'cap'))),
      h(
        'tbody',
        {},
        h('tr', {}, h('th', { scope: 'row' }, 'today'), h('td', { class: 'num', 'data-testid': 'budget-left-today' }, formatNumber(Math.max(0, summary.remaining.day))), h('td', { class: 'num' }, formatNumber(summary.caps.perDay))),
        h('tr', {}, h('th', { scope: 'row' }, 'this week'), h('td', { class: 'num' }, formatNumber(Math.max(0, summary.remaining.week))), h('td', { class: 'num' }, formatNumber(summary.caps.perWeek))),
        h('tr', {}, h('th', { scope: 'row' }, 'lifetime'), h('td', { class: 'num' }, formatNumber(Math.max(0, summary.remaining.lifetime))), h('td', { class: 'num' }, formatNumber(summary.caps.lifetime))),
      ),
    ),
  );
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

function receiptCard(receipts: Array<{ questionId: string; receipt: Receipt; explanation: Explanation }>, errors: string[], delivery: FlushResult | undefined): HTMLElement {
  const label = (questionId: string) => campaign.questions.find((q) => q.id === questionId)?.label ?? questionId;
  return h(
    'section',
    { class: 'card receipt', 'aria-labelledby': 'receipt-title', 'data-testid': 'receipt' },
    h('h2', { id: 'receipt-title', tabindex: '-1' }, 'Privacy receipt'),
    h('p', {}, receipts.length === 0 ? 'Nothing was sent this time.' : 'Only scrambled reports leave this device. Your answers themselves are not stored or sent.'),
    receipts.length === 0
      ? null
      : h(
          'ul',
          { class: 'receipt-list' },
          ...receipts.map(({ questionId, receipt, explanation }) =>
            h('li', { 'data-testid': `receipt-${questionId}` }, h('strong', {}, label(questionId)), ` — report ${receipt.reportId.slice(0, 8)}…: ${chargeText(receipt, explanation)}.`),
          ),
        ),
    delivery === undefined ? null : h('p', { class: 'small', 'data-testid': 'delivery' }, deliveryText(receipts.length, delivery)),
    errors.length === 0 ? null : h('div', { class: 'error', role: 'alert' }, h('p', {}, 'Not sent:'), h('ul', {}, ...errors.map((e) => h('li', {}, e)))),
  );
}
