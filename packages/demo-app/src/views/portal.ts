/**
 * `#/portal`: the demo's FAKE sign-in to a patient portal (issue 17 §1). A patient picks or types a
 * demo name; the portal's server (scripts/portal.mjs) keeps the session, and for it asks the
 * reference token issuer for anonymous check-in passes (Privacy Pass tokens). Signed in, the
 * patient view checks in to the campaign that requires them (src/verified-client.ts).
 *
 * Also `withPortalBanner`: the patient view with one line under its heading saying who is signed in
 * (the patient view itself is unchanged).
 */
import { announce, h } from '../dom.ts';
import type { View } from '../router.ts';
import { DEMO_PATIENTS, signIn, signOut } from '../portal.ts';
import type { PatientClients, VerifiedSession } from '../verified-client.ts';

export function portalView(clients: PatientClients): View {
  return {
    title: 'Patient portal',
    render(root) {
      const heading = h('h1', { tabindex: '-1' }, 'Patient portal');
      const body = h('div', { class: 'stack' }, h('p', { class: 'muted' }, 'Loading…'));
      root.append(heading, body);
      const show = async () => {
        const session = await clients.session();
        body.replaceChildren(session === undefined ? signInForm(show) : await signedIn(session, show));
      };
      void show();
    },
  };
}

function signInForm(onChange: () => Promise<void>): HTMLElement {
  const choices = DEMO_PATIENTS.map((name, i) => h('input', { type: 'radio', name: 'demo-patient', value: name, id: `demo-patient-${i}`, 'data-testid': `demo-patient-${i}` }));
  const other = h('input', { type: 'text', id: 'demo-name', maxlength: 40, autocomplete: 'off', 'data-testid': 'demo-name' });
  const submit = h('button', { type: 'submit', 'data-testid': 'sign-in' }, 'Sign in');
  const status = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card stack', 'aria-labelledby': 'sign-in-title' },
    h('h2', { id: 'sign-in-title' }, 'Sign in (demo)'),
    h('p', {}, 'This demo has no real accounts and no passwords: pick a demo patient or type a name. The same name on another phone is the same patient.'),
    h('fieldset', {}, h('legend', {}, 'Demo patient'), ...choices.map((radio, i) => h('label', { for: radio.id, class: 'choice' }, radio, ` ${DEMO_PATIENTS[i]}`))),
    h('label', { for: other.id }, 'Or another name'),
    other,
    submit,
    status,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = other.value.trim() !== '' ? other.value : choices.find((c) => c.checked)?.value;
    if (name === undefined) {
      status.replaceChildren(h('p', { class: 'error', role: 'alert' }, 'Pick a demo patient or type a name.'));
      return;
    }
    submit.disabled = true;
    try {
      const signedName = await signIn(name);
      announce(`Signed in as ${signedName}.`);
      await onChange();
    } catch (error) {
      submit.disabled = false;
      status.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Could not sign in: ${(error as Error).message}`));
    }
  });
  return form;
}

async function signedIn(session: VerifiedSession, onChange: () => Promise<void>): Promise<HTMLElement> {
  const out = h('button', { type: 'button', class: 'link', 'data-testid': 'sign-out' }, 'Sign out');
  out.addEventListener('click', async () => {
    await signOut();
    announce('Signed out.');
    await onChange();
  });
  return h(
    'section',
    { class: 'card stack', 'aria-labelledby': 'portal-title' },
    h('h2', { id: 'portal-title' }, 'Your check-ins'),
    h('p', { 'data-testid': 'signed-in' }, `Signed in as ${session.name} (demo sign-in).`),
    h(
      'p',
      {},
      'While you are signed in, each answer is sent with an anonymous check-in pass from this portal: one per question and day. The portal knows that it gave you passes, not which answers they go with; the clinic accepts an answer only with a pass, so nobody can send more answers in your name than you could.',
    ),
    await passesLine(session),
    h('p', {}, h('a', { href: '#/patient', 'data-testid': 'to-checkin' }, 'Go to today’s check-in')),
    out,
  );
}

/** How many passes this phone holds, and what the last fetch was refused (a second phone of the same patient gets none). */
async function passesLine(session: VerifiedSession): Promise<HTMLElement> {
  // Before consent the wallet's database is not opened (nothing stored before "I agree").
  const held = (await session.consented().catch(() => false)) ? (await session.wallet.held().catch(() => [])).length : 0;
  const last = session.lastRefill();
  const refused = last === undefined ? 0 : Object.values(last.refused).reduce((a, b) => a + b, 0);
  const text =
    held === 0 && last === undefined
      ? 'Your passes are fetched when you agree to the check-in: all of them at once, for today and the coming days.'
      : `This phone holds ${held} check-in ${held === 1 ? 'pass' : 'passes'} for the coming days.`;
  return h(
    'p',
    { 'data-testid': 'passes' },
    text,
    refused === 0 ? null : ` The portal gave no pass for ${refused} question-days: they were given to ${session.name} already, on another phone.`,
  );
}

/** The patient view, with who is signed in under its heading (and a link to sign in when nobody is). */
export function withPortalBanner(view: View, clients: PatientClients): View {
  return {
    title: view.title,
    render(root) {
      const leave = view.render(root);
      const banner = h('p', { class: 'small', 'data-testid': 'portal-banner' });
      root.querySelector('h1')?.after(banner);
      void clients.session().then((session) =>
        banner.replaceChildren(
          ...(session === undefined
            ? ['Not signed in: an open check-in. ', h('a', { href: '#/portal' }, 'Sign in to the patient portal')]
            : [`Signed in as ${session.name}: check-ins with anonymous passes. `, h('a', { href: '#/portal' }, 'Portal')]),
        ),
      );
      return leave;
    },
  };
}
