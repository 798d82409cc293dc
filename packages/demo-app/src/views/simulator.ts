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

export const MIN_PATIENTS = 1_000;
export const MAX_PATIENTS = 100_000;

function numberField(id: string, label: string, value: number, attrs: { min: number; max: number; step: number }, hint?: string): { field: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { type: 'number', id, name: id, value, min: attrs.min, max: attrs.max, step: attrs.step, required: true, inputmode: 'decimal', 'aria-describedby': hint === undefined ? undefined : `${id}-hint` });
  const field = h('div', { class: 'field' }, h('label', { for: id }, label), input, hint === undefined ? null : h('p', { class: 'hint', id: `${id}-hint` }, hint));
  return { field, input };
}

export function simulatorView(): View {
  return {
    title: 'Simulator',
    render(root) {
      const truth = defaultGroundTruth();
      const controller = { abort: undefined as AbortController | undefined };
      const patients = numberField('sim-patients', 'Synthetic patients', truth.patients, { min: MIN_PATIENTS, max: MAX_PATIENTS, step: 1000 }, `${MIN_PATIENTS.toLocaleString('en')} to ${MAX_PATIENTS.toLocaleString('en')}; each sends one check-in (4 reports).`);
      const days = numberField('sim-days', 'Spread over the last … days', truth.days, { min: 1, max: 28, step: 1 });
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

      const readTruth = (): GroundTruth | string => {
        const n = Number(patients.input.value);
        if (!Number.isInteger(n) || n < MIN_PATIENTS || n > MAX_PATIENTS) return `Synthetic patients must be a whole number from ${MIN_PATIENTS} to ${MAX_PATIENTS}.`;
        const percent = (input: HTMLInputElement) => Number(input.value) / 100;
        const all = [days.input, pain.input, mood.input, other.input, ...symptomInputs.map((f) => f.input), ...medicationInputs.map((f) => f.input)];
        const invalid = all.find((input) => !input.checkValidity() || input.value === '');
        if (invalid !== undefined) return `Check “${invalid.labels?.[0]?.textContent ?? invalid.id}”.`;
        return {
          patients: n,
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
        if (typeof parsed === 'string') {
          status.textContent = parsed;
          announce(parsed);
          return;
        }
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
