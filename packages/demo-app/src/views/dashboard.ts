/**
 * The demo's dashboard route: the product's dashboard (@practical-privacy/dashboard, the same one
 * a team deploys), mounted with the demo's collector and its public demo read token, opened on the
 * demo campaign's total. What only the demo has is passed in: the simulator's realized truth as
 * the reference drawn and listed beside each total estimate, and a pointer to the Simulator when
 * there is nothing to show yet.
 */
import { stringIndex, type Question } from '@practical-privacy/core';
import { mountDashboard } from '@practical-privacy/dashboard';
import { campaign, medicationCandidates, medicationQuestion, moodQuestion, painQuestion, symptomItems, symptomsQuestion } from '../campaign.ts';
import { collectorUrl, readToken } from '../config.ts';
import { h } from '../dom.ts';
import type { View } from '../router.ts';
import { clearRealizedTruth, loadStoredTruth, type RealizedTruth } from '../sim/ground-truth.ts';

export function dashboardView(): View {
  return {
    title: 'Dashboard',
    render(root) {
      // A truth saved for another database (an earlier demo run) is deleted, never drawn.
      const stored = loadStoredTruth();
      let truth = stored.truth;
      const forget = h('button', { type: 'button', class: 'link' }, 'Forget simulated truth');
      const intro = [
        h('p', { class: 'muted' }, `${campaign.title} (campaign ${campaign.id}, version ${campaign.version}). Estimates are debiased from randomized reports; every number comes with its 95% interval. This is the deployable dashboard, signed in with the demo's public read token.`),
        ...(stored.discarded ? [h('p', { class: 'muted small', 'data-testid': 'truth-discarded' }, 'A simulated truth saved for an earlier demo database was discarded: it described reports this database does not hold.')] : []),
        h('div', { class: 'toolbar' }, forget),
      ];
      const dashboard = mountDashboard(root, {
        collectorUrl,
        token: readToken,
        campaign: campaign.id,
        version: campaign.version,
        bucket: 'total',
        intro,
        reference: { label: 'Simulated truth', value: (question, value, bucket) => (bucket === 'total' ? truthFor(question, truth, value) : undefined) },
        emptyHint: () =>
          h('p', {}, 'Send a synthetic clinic of 1,000 to 100,000 patients from the ', h('a', { href: '#/simulator' }, 'Simulator'), ', or check in yourself on the ', h('a', { href: '#/patient' }, 'Patient view'), ' (one check-in is far below the minimum batch).'),
      });
      forget.addEventListener('click', () => {
        clearRealizedTruth();
        truth = undefined;
        void dashboard.refresh();
      });
      return () => {
        dashboard.destroy();
        root.classList.remove('pp-dashboard');
      };
    },
  };
}

/**
 * The simulator's realized truth for one value of the total: the share among the simulated
 * patients who reported (the population interval around it is wider than a respondents-only one,
 * by the sampling term f(1 − f)/n). It describes the whole simulation, so it is compared with the
 * total bucket only.
 */
function truthFor(question: Question, truth: RealizedTruth | undefined, value: string): number | undefined {
  if (truth === undefined || truth.patients === 0) return undefined;
  if (question.id === symptomsQuestion.id) {
    const i = symptomItems.findIndex((item) => item.code === value);
    return i < 0 ? undefined : truth.symptomCounts[i]! / truth.patients;
  }
  if (question.id === painQuestion.id) return value === 'mean' ? truth.painSum / truth.patients : undefined;
  if (question.id === moodQuestion.id) return value === 'true' ? truth.lowMoodYes / truth.patients : value === 'false' ? 1 - truth.lowMoodYes / truth.patients : undefined;
  if (question.id === medicationQuestion.id) {
    // The collector's labels are the candidates and one more, '(other)': core's stringIndex maps
    // it, like any name outside the list, to "other".
    const i = stringIndex(medicationQuestion, value);
    return (i < medicationCandidates.length ? truth.medicationCounts[i]! : truth.otherMedication) / truth.patients;
  }
  return undefined;
}
