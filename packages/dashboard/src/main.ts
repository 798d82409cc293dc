/** The dashboard's own app: signed in → the dashboard; otherwise the sign-in form (session.ts keeps the token per tab). */
import './base.css';
import './app.css';
import { clearSession, defaultCollectorUrl, loadSession, type Session } from './session.ts';
import { mountDashboard } from './views/dashboard.ts';
import { signInView } from './views/sign-in.ts';

const root = document.getElementById('main')!;

async function start(): Promise<void> {
  const session = loadSession();
  if (session !== undefined) showDashboard(session);
  else signInView(root, await defaultCollectorUrl(), showDashboard);
}

function showDashboard(session: Session): void {
  mountDashboard(root, {
    ...session,
    onSignOut: () => {
      clearSession();
      root.classList.remove('pp-dashboard');
      void start();
    },
  });
}

void start();
