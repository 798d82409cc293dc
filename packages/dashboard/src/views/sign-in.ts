/** Sign-in: the collector's address and a read token, checked against GET /v1/campaigns before use. */
import { CollectorError, DashboardApi } from '../api.ts';
import { h } from '../dom.ts';
import { saveSession, type Session } from '../session.ts';

export function signInView(root: HTMLElement, collectorUrl: string, onSignedIn: (session: Session) => void): void {
  const url = h('input', { id: 'collector-url', name: 'collector', type: 'url', required: true, value: collectorUrl, autocomplete: 'url' });
  const token = h('input', { id: 'read-token', name: 'token', type: 'password', required: true, autocomplete: 'off', 'aria-describedby': 'token-help' });
  const status = h('p', { id: 'sign-in-status', role: 'alert', class: 'error' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card stack', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title', tabindex: '-1' }, 'Sign in'),
    h('p', { class: 'muted' }, 'Use a read token your collector operator gave you. It is kept for this browser tab only and sent to the collector alone.'),
    h('label', { for: 'collector-url' }, 'Collector address'),
    url,
    h('label', { for: 'read-token' }, 'Read token'),
    token,
    h('p', { id: 'token-help', class: 'muted small' }, 'Closing the tab or "Sign out" forgets it.'),
    submit,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    status.textContent = '';
    submit.disabled = true;
    const session = { collectorUrl: url.value.replace(/\/+$/, ''), token: token.value.trim() };
    void new DashboardApi(session.collectorUrl, session.token)
      .listCampaigns()
      .then(() => {
        saveSession(session);
        onSignedIn(session);
      })
      .catch((error: unknown) => {
        status.textContent = error instanceof CollectorError && error.status === 401 ? 'The collector did not accept this token.' : `Could not reach the collector: ${(error as Error).message}`;
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  root.replaceChildren(form);
  url.focus();
}
