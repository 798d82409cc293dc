/**
 * Hash routing between the four views. Hash URLs work from any static host and keep the
 * back button and deep links; focus moves to the new view's heading for keyboard and screen
 * reader users (WAI-ARIA APG guidance for single-page navigation).
 */
export type RouteName = 'patient' | 'dashboard' | 'simulator' | 'tradeoffs' | 'portal';

export interface View {
  title: string;
  /** Renders into `root`; the returned function (if any) is called when leaving the view. */
  render(root: HTMLElement): void | (() => void);
}

export const ROUTES: readonly RouteName[] = ['patient', 'dashboard', 'simulator', 'tradeoffs', 'portal'];

export function currentRoute(hash = location.hash): RouteName {
  const name = hash.replace(/^#\/?/, '').split('?')[0] as RouteName;
  return ROUTES.includes(name) ? name : 'patient';
}

export function startRouter(root: HTMLElement, views: Record<RouteName, View>): void {
  let leave: (() => void) | undefined;
  let first = true;
  const show = (): void => {
    leave?.();
    const route = currentRoute();
    const view = views[route];
    root.replaceChildren();
    document.title = `${view.title} — Practical Privacy demo`;
    for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-route]')) {
      if (link.dataset.route === route) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    leave = view.render(root) ?? undefined;
    if (!first) root.querySelector<HTMLElement>('h1')?.focus();
    first = false;
  };
  window.addEventListener('hashchange', show);
  show();
}
