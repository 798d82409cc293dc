/**
 * Who is signed in: the collector URL and the read token, kept in sessionStorage only (gone when
 * the tab closes; never localStorage, never in the bundle or the URL). Signing out removes both.
 * A script running in this origin can read sessionStorage like any page state: serve the
 * dashboard from its own origin (README, "Deploying").
 */
const KEY = 'pp-dashboard-session';

export interface Session {
  collectorUrl: string;
  token: string;
}

export function loadSession(storage: Storage = sessionStorage): Session | undefined {
  try {
    const parsed = JSON.parse(storage.getItem(KEY) ?? 'null') as Partial<Session> | null;
    if (typeof parsed?.collectorUrl === 'string' && typeof parsed.token === 'string' && parsed.token !== '') return { collectorUrl: parsed.collectorUrl, token: parsed.token };
  } catch {
    // A damaged entry is the same as none.
  }
  return undefined;
}

export function saveSession(session: Session, storage: Storage = sessionStorage): void {
  storage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(storage: Storage = sessionStorage): void {
  storage.removeItem(KEY);
}

/**
 * The collector the dashboard talks to by default: `?collector=` in the page address, then the
 * deployment's `config.json` (`{ "collectorUrl": "…" }` next to index.html), then the page's own
 * origin (the collector serving the dashboard at /dashboard/).
 */
export async function defaultCollectorUrl(location: Location = window.location): Promise<string> {
  const fromQuery = new URLSearchParams(location.search).get('collector');
  if (fromQuery) return trimSlash(fromQuery);
  try {
    const response = await fetch(new URL('config.json', location.href));
    if (response.ok) {
      const config = (await response.json()) as { collectorUrl?: unknown };
      if (typeof config.collectorUrl === 'string' && config.collectorUrl !== '') return trimSlash(config.collectorUrl);
    }
  } catch {
    // No config.json: same origin.
  }
  return location.origin;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
