/**
 * Simulator: edit a ground truth, generate N synthetic patients (1,000–100,000), randomize them
 * with core's mechanisms and send them through the collector's real ingest API in batches. The
 * realized truth is saved so the dashboard can draw estimate against truth.
 */
import { medicationCandidates, symptomItems, symptomLabel, symptomsQuestion } from '../campaign.ts';
import { announce, formatNumber, h } from '../dom.ts';
import type { View } from '../router.ts';
import { addRealizedTruth, defaultGroundTruth, loadRealizedTruth, saveRealizedTruth, emptyRealizedTruth, type GroundTruth } from '../sim/ground-truth.ts';
import { runSimulation } from '../sim/run.ts';
import { errorSummaryTitle, validateFields, type FieldError, type NumberRule } from '../sim/form-validation.ts';

export const MIN_PATIENTS = 1_000;
export const MAX_PATIENTS = 100_000;

interface NumberField {
  field: HTMLElement;
  input: HTMLInputElement;
  rule: NumberRule;
  /** Shows this field's problem under it (or clears it). */
  setError(message: string | undefined): void;
}

function numberField(id: string, label: string, value: number, attrs: { min: number; max: number; step: number; integer?: boolean }, hint?: string): NumberField {
  const hintId = hint === undefined ? undefined : `${id}-hint`;
  const input = h('input', { type: 'number', id, name: id, value, min: attrs.min, max: attrs.max, step: attrs.step, required: true, inputmode: 'decimal', 'aria-describedby': hintId });
  const error = h('p', { class: 'field-error', id: `${id}-error`, 'data-testid': `${id}-error`, hidden: true });
  const field = h('div', { class: 'field' }, h('label', { for: id }, label), input, error, hint === undefined ? null : h('p', { class: 'hint', id: hintId }, hint));
  const setError = (message: string | undefined): void => {
    error.textContent = message ?? '';
    error.hidden = message === undefined;
    if (message === undefined) input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
    const describedBy = [message === undefined ? undefined : error.id, hintId].filter((x) => x !== undefined).join(' ');
    if (describedBy === '') input.removeAttribute('aria-describedby');
    else input.setAttribute('aria-describedby', describedBy);
  };
  return { field, input, rule: { id, label, min: attrs.min, max: attrs.max, ...(attrs.integer === undefined ? {} : { integer: attrs.integer }) }, setError };
}

/** The summary at the top of the form: every problem, each a link that moves focus to its field. */
function errorSummary(errors: FieldError[]): HTMLElement {
  return h(
    'div',
    { class: 'card error-summary', role: 'alert', tabindex: '-1', 'data-testid': 'sim-error-summary', 'aria-labelledby': 'sim-error-title' },
    h('h2', { id: 'sim-error-title' }, errorSummaryTitle(errors)),
    h(
      'ul',
      {},
      ...errors.map((e) => {
        const link = h('a', { href: `#${e.id}` }, `${e.label}: ${e.message}`);
        // A hash link would change the route: focus the field instead.
        link.addEventListener('click', (event) => {
          event.preventDefault();
          document.getElementById(e.id)?.focus();
        });
        return h('li', {}, link);
      }),
    ),
  );
}

export function simulatorView(): View {
  return {
    title: 'Simulator',
    render(root) {
      const truth = defaultGroundTruth();
      const controller = { abort: undefined as AbortController | undefined };
      const patients = numberField('sim-patients', 'Synthetic patients', truth.patients, { min: MIN_PATIENTS, max: MAX_PATIENTS, step: 1000, integer: true }, `${MIN_PATIENTS.toLocaleString('en')} to ${MAX_PATIENTS.toLocaleString('en')}; each sends one check-in (4 reports).`);
      const days = numberField('sim-days', 'Spread over the last … days', truth.days, { min: 1, max: 28, step: 1, integer: true });
      const seed = h('input', { type: 'text', id: 'sim-seed', value: truth.seed, autocomplete: 'off' });
      const symptomInputs = symptomItems.map((item, i) => numberField(`sim-symptom-${item.code}`, `${symptomLabel(i)} (%)`, Math.round((truth.symptomPrevalence[i] ?? 0) * 100), { min: 0, max: 100, step: 1 }));
      const pain = numberField('sim-pain', 'Mean pain score (0–10)', truth.painMean, { min: 0, max: 10, step: 0.1 });
      const mood = numberField('sim-mood', 'Low mood: share answering yes (%)', Math.round(truth.lowMoodRate * 100), { min: 0, max: 100, step: 1 });
      const medicationInputs = medicationCandidates.map((name, i) => numberField(`sim-med-${name}`, `${name} (weight)`, truth.medicationWeights[i] ?? 0, { min: 0, max: 1000, step: 1 }));
      const other = numberField('sim-med-other', 'Names outside the candidate list (%)', Math.round(truth.otherMedicationShare * 100), { min: 0, max: 90, step: 1 });

      const progress = h('progress', { max: 1, value: 0, id: 'sim-progress', 'aria-label': 'Simulation progress', 'data-testid': 'sim-progress' });
      const status = h('p', { role: 'status', 'data-testid': 'sim-status' }, 'Ready.');
      const run = h('button', { type: 'submit', class: 'primary', 'data-testid': 'sim-run' }, 'Generate and send');
      const cancel = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Cancel');

      const summarySlot = h('div', {});
      const fields = [patients, days, ...symptomInputs, pain, mood, ...medicationInputs, other];
      /** The ground truth, or every problem of the form (each shown under its field and in the summary). */
      const readTruth = (): GroundTruth | FieldError[] => {
        const errors = validateFields(
          fields.map((f) => f.rule),
          (id) => fields.find((f) => f.rule.id === id)!.input.value,
          [{ ids: medicationInputs.map((f) => f.rule.id), message: 'Give at least one medication a weight above 0 (with all at 0, every patient would report a name outside the list).' }],
        );
        for (const f of fields) f.setError(errors.find((e) => e.id === f.rule.id)?.message);
        if (errors.length > 0) return errors;
        const percent = (input: HTMLInputElement) => Number(input.value) / 100;
        return {
          patients: Number(patients.input.value),
          days: Number(days.input.value),
          symptomPrevalence: symptomInputs.map((f) => percent(f.input)),
          painMean: Number(pain.input.value),
          lowMoodRate: percent(mood.input),
          medicationWeights: medicationInputs.map((f) => Number(f.input.value)),
          otherMedicationShare: percent(other.input),
          seed: seed.value,
        };
      };

      const form = h(
        'form',
        { class: 'stack', novalidate: true },
        summarySlot,
        h('section', { class: 'card' }, h('h2', {}, 'Population'), h('div', { class: 'grid' }, patients.field, days.field, h('div', { class: 'field' }, h('label', { for: 'sim-seed' }, 'Random seed'), seed))),
        h('fieldset', { class: 'card' }, h('legend', {}, 'Symptoms: share of patients with each'), h('div', { class: 'grid' }, ...symptomInputs.map((f) => f.field)), h('p', { class: 'hint' }, `A patient with more than ${symptomsQuestion.domain.maxItems} symptoms ticks ${symptomsQuestion.domain.maxItems} of them at random, as the form allows; the dashboard compares with what was actually ticked.`)),
        h('fieldset', { class: 'card' }, h('legend', {}, 'Pain and mood'), h('div', { class: 'grid' }, pain.field, mood.field)),
        h('fieldset', { class: 'card' }, h('legend', {}, 'Most recent medication'), h('div', { class: 'grid' }, ...medicationInputs.map((f) => f.field), other.field)),
        h('div', { class: 'toolbar' }, run, cancel),
        h('div', { class: 'card' }, h('label', { for: 'sim-progress' }, 'Progress'), progress, status),
      );

      cancel.addEventListener('click', () => controller.abort?.abort());
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const parsed = readTruth();
        if (Array.isArray(parsed)) {
          const summary = errorSummary(parsed);
          summarySlot.replaceChildren(summary);
          status.textContent = `Not started: ${errorSummaryTitle(parsed).toLowerCase()} (listed at the top).`;
          summary.focus();
          return;
        }
        summarySlot.replaceChildren();
        run.disabled = true;
        cancel.disabled = false;
        controller.abort = new AbortController();
        const started = performance.now();
        let sent = emptyRealizedTruth();
        try {
          sent = await runSimulation(
            parsed,
            (p) => {
              sent = p.realized;
              progress.max = p.patients;
              progress.value = p.patientsSent;
              status.textContent = `${p.patientsSent.toLocaleString('en')} of ${p.patients.toLocaleString('en')} patients sent (${p.reportsAccepted.toLocaleString('en')} reports accepted).`;
            },
            controller.abort.signal,
          );
          const seconds = (performance.now() - started) / 1000;
          status.textContent = `Done: ${sent.patients.toLocaleString('en')} patients, ${(sent.patients * 4).toLocaleString('en')} reports in ${formatNumber(seconds, 1)} s. Open the dashboard to compare estimates with the truth.`;
          status.dataset.done = 'true';
          announce('Simulation finished.');
        } catch (error) {
          status.textContent = `Stopped: ${(error as Error).message}`;
          announce(status.textContent);
        } finally {
          // Whatever was acknowledged counts toward the truth, even after a cancel or an error.
          saveRealizedTruth(addRealizedTruth(loadRealizedTruth() ?? emptyRealizedTruth(), sent));
          run.disabled = false;
          cancel.disabled = true;
        }
      });

      root.append(
        h('h1', { tabindex: '-1' }, 'Simulator'),
        h('p', { class: 'muted' }, 'Synthetic patients are drawn from the ground truth below, randomized with the same mechanisms a device uses, and sent through the collector API. The dashboard then shows each estimate against the truth.'),
        form,
      );
      return () => controller.abort?.abort();
    },
  };
}
