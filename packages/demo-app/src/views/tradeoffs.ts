/**
 * Trade-off explorer: pick ε and n, read the predicted 95% half-width from core's planner, and
 * check it against an empirical simulation. A fixed panel shows what a small clinic (300
 * patients) can and cannot learn at the usual ε values.
 */
import { epsilonFor } from '@practical-privacy/core';
import { announce, formatNumber, h } from '../dom.ts';
import type { View } from '../router.ts';
import { parseClinicSize } from '../sim/clinic-size.ts';
import { empiricalHalfWidth, MAX_SIMULATED_PATIENTS, trialsFor, type TradeoffQuestion } from '../sim/empirical.ts';
import { predictedHalfWidth, QUESTIONS } from './tradeoff-model.ts';

function formatWidth(question: TradeoffQuestion, x: number): string {
  if (QUESTIONS[question].unit === 'share') return x >= 1 ? '± >100 points (nothing learned)' : `± ${formatNumber(x * 100, 1)} points`;
  return x >= 10 ? '± >10 (nothing learned)' : `± ${formatNumber(x, 2)}`;
}

export function tradeoffsView(): View {
  return {
    title: 'Trade-offs',
    render(root) {
      const question = h('select', { id: 'to-question' }, ...Object.entries(QUESTIONS).map(([value, q]) => h('option', { value }, q.label)));
      const epsilon = h('input', { type: 'range', id: 'to-epsilon', min: 0.1, max: 8, step: 0.1, value: 1, 'data-testid': 'to-epsilon' });
      const epsilonOut = h('output', { for: 'to-epsilon' }, '1.0');
      // Text, not type=number: a browser's number field reports "" for "1e", hiding what was typed.
      const n = h('input', { type: 'text', id: 'to-n', value: '300', inputmode: 'numeric', autocomplete: 'off', 'aria-describedby': 'to-n-hint', 'data-testid': 'to-n' });
      const nHint = h('p', { class: 'hint', id: 'to-n-hint' }, 'A whole number from 1 to 1,000,000,000.');
      const nError = h('p', { class: 'field-error', id: 'to-n-error', 'data-testid': 'to-n-error', hidden: true });
      const truth = h('input', { type: 'number', id: 'to-truth', min: 0, max: 1, step: 0.01, value: 0.2 });
      const truthLabel = h('label', { for: 'to-truth' }, 'True share (0–1)');
      const predicted = h('p', { class: 'big', 'data-testid': 'to-predicted' });
      const needed = h('p', { class: 'muted small' });
      const empirical = h('div', { 'data-testid': 'to-empirical', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Not run yet.'));
      const runButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'to-run' }, 'Run empirical check');

      /** The inputs, or undefined when n is not a valid clinic size (its message is then shown by the field). */
      const read = () => {
        const parsed = parseClinicSize(n.value);
        if (!parsed.ok) {
          n.setAttribute('aria-invalid', 'true');
          n.setAttribute('aria-describedby', 'to-n-error to-n-hint');
          nError.textContent = parsed.error;
          nError.hidden = false;
          return undefined;
        }
        n.removeAttribute('aria-invalid');
        n.setAttribute('aria-describedby', 'to-n-hint');
        nError.hidden = true;
        return { q: question.value as TradeoffQuestion, e: Number(epsilon.value), size: parsed.n, t: Number(truth.value) };
      };
      const update = (): void => {
        epsilonOut.textContent = Number(epsilon.value).toFixed(1);
        const q0 = question.value as TradeoffQuestion;
        truthLabel.textContent = q0 === 'pain' ? 'True mean (0–10)' : 'True share (0–1)';
        truth.max = q0 === 'pain' ? '10' : '1';
        truth.step = q0 === 'pain' ? '0.1' : '0.01';
        const input = read();
        runButton.disabled = input === undefined;
        if (input === undefined) {
          predicted.textContent = 'No prediction: check the number of patients.';
          needed.textContent = '';
          empirical.replaceChildren(h('p', { class: 'muted' }, 'Not run yet.'));
          return;
        }
        const { q, e, size, t } = input;
        try {
          const p = predictedHalfWidth(q, e, size, t);
          predicted.replaceChildren(`Predicted 95% interval: ${formatWidth(q, p.halfWidth)}`, h('span', { class: 'muted small' }, ` (${p.source})`));
        } catch (error) {
          predicted.textContent = (error as Error).message;
        }
        if (q === 'yes-no') {
          try {
            const target = epsilonFor({ k: 2, n: size, halfWidth: 0.05, mechanism: 'binary-rr' });
            needed.textContent = `For ± 5 points with ${size.toLocaleString('en')} patients you would need ε ≥ ${formatNumber(target.epsilon)} (core epsilonFor()).`;
          } catch {
            needed.textContent = `± 5 points is out of reach with ${size.toLocaleString('en')} patients at any ε this library allows.`;
          }
        } else needed.textContent = '';
        const simulated = Math.min(size, MAX_SIMULATED_PATIENTS);
        const scaled = size > MAX_SIMULATED_PATIENTS ? ` of ${simulated.toLocaleString('en')}, scaled to ${size.toLocaleString('en')} by √(${simulated.toLocaleString('en')}/n): the estimators’ variance is exactly proportional to 1/n` : ` of ${size.toLocaleString('en')}`;
        empirical.replaceChildren(h('p', { class: 'muted' }, `Not run yet (${trialsFor(simulated)} simulated clinics${scaled}).`));
      };
      for (const input of [question, epsilon, n, truth]) input.addEventListener('input', update);
      question.addEventListener('change', () => {
        truth.value = String(QUESTIONS[question.value as TradeoffQuestion].defaultTruth);
        update();
      });

      runButton.addEventListener('click', async () => {
        const input = read();
        if (input === undefined) return;
        const { q, e, size, t } = input;
        runButton.disabled = true;
        empirical.replaceChildren(h('p', { class: 'muted' }, 'Simulating…'));
        try {
          const result = await empiricalHalfWidth(q, e, size, t);
          const p = predictedHalfWidth(q, e, size, t);
          empirical.replaceChildren(
            h(
              'table',
              { class: 'data-table' },
              h(
                'caption',
                {},
                `${result.trials} simulated clinics of ${result.simulatedPatients.toLocaleString('en')} patients, each a fresh sample of the population, ε = ${e.toFixed(1)}`,
                result.simulatedPatients < size ? `; errors scaled to n = ${size.toLocaleString('en')} by √(${result.simulatedPatients.toLocaleString('en')}/n)` : '',
              ),
              h(
                'tbody',
                {},
                h('tr', {}, h('th', { scope: 'row' }, 'Predicted 95% half-width'), h('td', { class: 'num' }, formatWidth(q, p.halfWidth))),
                h('tr', { 'data-empirical': result.empiricalHalfWidth }, h('th', { scope: 'row' }, 'Empirical (1.96 × SD of errors)'), h('td', { class: 'num' }, formatWidth(q, result.empiricalHalfWidth))),
                h('tr', {}, h('th', { scope: 'row' }, 'Average reported half-width'), h('td', { class: 'num' }, formatWidth(q, result.meanReportedHalfWidth))),
                h('tr', {}, h('th', { scope: 'row' }, 'Intervals containing the population’s value'), h('td', { class: 'num' }, `${formatNumber(result.coverage * 100, 0)}%`)),
              ),
            ),
          );
          announce('Empirical check finished.');
        } catch (error) {
          empirical.replaceChildren(h('p', { class: 'error', role: 'alert' }, (error as Error).message));
        }
        runButton.disabled = false;
      });

      root.append(
        h('h1', { tabindex: '-1' }, 'Privacy–accuracy trade-offs'),
        h(
          'p',
          { class: 'muted' },
          'Smaller ε means stronger privacy and wider intervals. More patients narrow the interval as 1/√n. Pick both and see what you can learn. ' +
            'Intervals are for the clinic’s patient population, the n who answer being a sample of it: they include the chance of who happened to answer as well as the randomization, as the collector’s intervals do by default.',
        ),
        h(
          'section',
          { class: 'card stack' },
          h('div', { class: 'field' }, h('label', { for: 'to-question' }, 'Question'), question),
          h('div', { class: 'field' }, h('label', { for: 'to-epsilon' }, 'ε per report'), h('div', { class: 'range-row' }, epsilon, epsilonOut)),
          h('div', { class: 'grid' }, h('div', { class: 'field' }, h('label', { for: 'to-n' }, 'Patients (n)'), n, nError, nHint), h('div', { class: 'field' }, truthLabel, truth)),
          predicted,
          needed,
          runButton,
          empirical,
        ),
        smallClinicPanel(),
      );
      update();
    },
  };
}

/** What 300 patients can and cannot tell, at the ε values a campaign typically uses. */
function smallClinicPanel(): HTMLElement {
  const n = 300;
  const epsilons = [0.5, 1, 2, 4];
  const rows = epsilons.map((e) => {
    const yesNo = predictedHalfWidth('yes-no', e, n, 0.5).halfWidth;
    const symptom = predictedHalfWidth('symptom', e, n, 0.1).halfWidth;
    const pain = predictedHalfWidth('pain', e, n, 5).halfWidth;
    return { e, yesNo, symptom, pain };
  });
  const at1 = rows.find((r) => r.e === 1)!;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'clinic-title', 'data-testid': 'small-clinic' },
    h('h2', { id: 'clinic-title' }, `A small clinic: ${n} patients`),
    h(
      'table',
      { class: 'data-table' },
      h('caption', {}, `Predicted 95% half-widths with ${n} reports`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'ε'), h('th', { scope: 'col', class: 'num' }, 'yes/no share'), h('th', { scope: 'col', class: 'num' }, 'symptom at 10%'), h('th', { scope: 'col', class: 'num' }, 'mean pain (0–10)'))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, formatNumber(r.e, 1)), h('td', { class: 'num' }, formatWidth('yes-no', r.yesNo)), h('td', { class: 'num' }, formatWidth('symptom', r.symptom)), h('td', { class: 'num' }, formatWidth('pain', r.pain))))),
    ),
    h(
      'ul',
      {},
      h('li', {}, h('strong', {}, 'Can learn: '), `at ε = 1, whether a yes/no answer is common or rare (± ${formatNumber(at1.yesNo * 100, 0)} points), and the average pain to within ± ${formatNumber(at1.pain, 1)}.`),
      h('li', {}, h('strong', {}, 'Cannot learn: '), `at ε = 1, the prevalence of one symptom among eight (± ${formatNumber(at1.symptom * 100, 0)} points around 10%), small week-to-week changes, or anything about a rare answer — and never any one patient’s answer.`),
      h('li', {}, 'Options: pool several clinics or weeks (n grows, the interval shrinks as 1/√n), ask fewer items per question, or accept a larger ε for low-sensitivity questions only.'),
    ),
  );
}
