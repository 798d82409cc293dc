/**
 * The patient's privacy choice (issue 14 §2): "more privacy" for every question with privacy
 * levels, in plain words with what it costs the clinic (privacy-cost.ts), through the SDK's
 * `setPrivacy('more-private')` / `setPrivacy('default')`. The SDK stores the choice on the device
 * (IndexedDB, with its ledger), so a later visit shows it: the card reads it back from `explain()`
 * (`details.level.reason`), not from a copy of its own. Opting out erases it with the rest.
 */
import type { Explanation } from '@practical-privacy/sdk';
import { announce, h } from '../dom.ts';
import type { PatientClient } from '../patient-client.ts';
import { costText, levelCosts, offerText, VISIBLE_TEXT } from './privacy-cost.ts';

/** The SDK's words for a question, for its "Details": the plain sentence, then the figures. */
export function explanationParts(explanation: Explanation): HTMLElement[] {
  return [h('p', {}, explanation.text), h('p', {}, explanation.details.text)];
}

/** Re-reads every question's explanation shown in the form (`data-explain`): a new choice changes the level they state. */
async function refreshExplanations(client: PatientClient): Promise<void> {
  for (const element of document.querySelectorAll<HTMLElement>('[data-explain]')) {
    element.replaceChildren(...explanationParts(await client.explain(element.dataset.explain!)));
  }
}

export async function privacyChoiceCard(client: PatientClient): Promise<HTMLElement> {
  const costs = levelCosts();
  const card = h('section', { class: 'card', 'aria-labelledby': 'privacy-choice-title', 'data-testid': 'privacy-choice' });
  if (costs.length === 0) return card;
  const probe = costs[0]!.question.id;
  const render = async (focus = false): Promise<void> => {
    const reason = (await client.explain(probe)).details.level?.reason;
    const more = reason === 'more-private';
    const status =
      reason === 'more-private'
        ? 'Now: more privacy, as you chose.'
        : reason === 'stepped-down'
          ? 'Now: more privacy, because the usual level would go over the privacy limit this app keeps for you.'
          : 'Now: the clinic’s usual privacy level.';
    const button = h('button', { type: 'button', class: more ? 'secondary' : 'primary', 'data-testid': more ? 'privacy-default' : 'privacy-more' }, more ? 'Go back to the usual level' : 'Use more privacy');
    button.addEventListener('click', async () => {
      button.disabled = true;
      await client.setPrivacy(more ? 'default' : 'more-private');
      await refreshExplanations(client);
      announce(more ? 'Back to the clinic’s usual privacy level.' : 'More privacy is on.');
      await render(true);
    });
    card.replaceChildren(
      h('h2', { id: 'privacy-choice-title' }, 'More privacy'),
      h('p', {}, offerText(costs)),
      h('p', { 'data-testid': 'privacy-cost' }, costText(costs)),
      h('p', {}, VISIBLE_TEXT),
      h('p', { role: 'status', 'data-testid': 'privacy-status', 'data-choice': more ? 'more-private' : 'default' }, status),
      button,
    );
    if (focus) button.focus();
  };
  await render();
  return card;
}
