/**
 * The day (UTC, the SDK's period) of this device's last check-in, kept by the demo outside the
 * SDK's database. `optOut()` deletes that database — device key, ledger, outbox — and with it the
 * SDK's memory of which questions were answered today, so opting out and back in would accept a
 * second check-in the same day (two reports from one patient in one day's batch, which the
 * dashboard's per-day shuffle bound assumes cannot happen). This marker survives opt-out on
 * purpose and says only which day: no answer, no question, no time of day. The patient view says so
 * in the opt-out confirmation.
 */
export type DayStorage = Pick<Storage, 'getItem' | 'setItem'>;

const KEY = 'pp-demo-last-checkin-day';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function lastCheckInDay(storage: DayStorage = localStorage): string | undefined {
  const day = storage.getItem(KEY);
  return day !== null && DAY.test(day) ? day : undefined;
}

export function recordCheckInDay(day: string, storage: DayStorage = localStorage): void {
  if (!DAY.test(day)) throw new RangeError(`not a day (YYYY-MM-DD): ${day}`);
  storage.setItem(KEY, day);
}
