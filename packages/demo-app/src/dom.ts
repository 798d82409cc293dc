/**
 * The demo's DOM helpers. The element builder is the dashboard's (`h`: text always via
 * `textContent`, never innerHTML, so campaign labels cannot inject markup); the rest is the demo's.
 */
export { h } from '@practical-privacy/dashboard';

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

/** Announces a status change to screen readers through the page's polite live region. */
export function announce(message: string): void {
  const region = document.getElementById('announcer');
  if (region !== null) region.textContent = message;
}

export function formatNumber(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

/** "1 report", "2 reports": a count with its noun, singular for exactly one. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? singular : plural}`;
}
