/**
 * The receipt's words: the charge of this report and the most all reports of the question can
 * cost (the SDK's D·ε∞), singular for one report, and no "Delivered" when nothing was sent.
 */
import { describe, expect, it } from 'vitest';
import { chargeText, deliveryText } from '../src/views/receipt-text.ts';

describe('chargeText', () => {
  it('states this report’s charge and the lifetime bound of a two-level question', () => {
    const text = chargeText({ epsilonSpent: 1.9999999993 }, { lifetimeBound: 5.9999999979, permanentEpsilon: 1.9999999993, chargedReports: 3, spent: 1.9999999993 });
    expect(text).toBe('this report cost ε = 2.00; all reports of this question together cost at most ε = 6.00 (ε = 2.00 on each of its first 3 reports, nothing after; so far ε = 2.00)');
  });

  it('says "report" for one charged report, and shows a free report after the charged ones', () => {
    expect(chargeText({ epsilonSpent: 0 }, { lifetimeBound: 2, permanentEpsilon: 2, chargedReports: 1, spent: 2 })).toBe(
      'this report cost ε = 0.00; all reports of this question together cost at most ε = 2.00 (ε = 2.00 on each of its first 1 report, nothing after; so far ε = 2.00)',
    );
  });

  it('says the reports add up when every report is charged', () => {
    expect(chargeText({ epsilonSpent: 1 }, { lifetimeBound: Number.POSITIVE_INFINITY, permanentEpsilon: 1, chargedReports: undefined, spent: 3 })).toBe(
      'this report cost ε = 1.00; every report of this question is charged and they add up (so far ε = 3.00)',
    );
  });
});

describe('deliveryText', () => {
  it('claims no delivery when every answer was refused', () => {
    expect(deliveryText(0, { sent: 0, dropped: 0, pending: 0 })).toBe('Nothing new was sent.');
    expect(deliveryText(0, { sent: 0, dropped: 0, pending: 1 })).toBe('Nothing new was sent; 1 earlier report still queued on this device (sent automatically when the collector is reachable).');
  });

  it('counts this check-in’s reports, singular for one', () => {
    expect(deliveryText(1, { sent: 1, dropped: 0, pending: 0 })).toBe("Delivered to the clinic's collector (1 report).");
    expect(deliveryText(4, { sent: 2, dropped: 0, pending: 2 })).toBe('2 reports sent now; 2 reports still queued on this device (sent automatically when the collector is reachable).');
  });
});
