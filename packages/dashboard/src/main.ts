/** Signed in → the dashboard; otherwise the sign-in form (session.ts keeps the token per tab). */
import './styles.css';
import { clearSession, defaultCollectorUrl, loadSession, type Session } from './session.ts';
import { dashboardView } from './views/dashboard.ts';
import { signInView } from './views/sign-in.ts';

const root = document.getElementById('main')!;

async function start(): Promise<void> {
  const session = loadSession();
  if (session !== undefined) showDashboard(session);
  else signInView(root, await defaultCollectorUrl(), showDashboard);
}

function showDashboard(session: Session): void {
  dashboardView(root, session, () => {
    clearSession();
    void start();
  });
}

void start();
