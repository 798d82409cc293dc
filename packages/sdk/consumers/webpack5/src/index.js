// The fixtures' app code (copied into each fixture's src/main.js by hand; test-consumers.mjs checks
// they are identical): the SDK README's quick start, plus a few hooks the consumer test drives.
import { createClient } from '@practical-privacy/sdk';

// The collector and the campaign come from the page's query (the test starts the collector on a
// free port); a real app writes its collector's URL here.
const query = new URLSearchParams(location.search);
const collectorUrl = query.get('collector') ?? 'https://collector.example.org';
const campaignId = query.get('campaign') ?? 'daily-symptoms';

const start = (extra = {}) =>
  createClient({
    collectorUrl,
    campaignId, // fetched from the collector, checked against the caps
    tiers: { fever: 'low' }, // the app's tier per question: the server cannot relabel
    ...extra,
  });

window.consumer = {
  /** Opt in, report one answer, deliver it now; what the receipt and the upload said. */
  async optInAndReport() {
    const pp = await start();
    await pp.optIn(); // after the patient agreed; nothing happens before
    const receipt = await pp.report('fever', true);
    const flushed = await pp.flush();
    pp.close();
    return { explanation: typeof receipt.explanation, sent: flushed.sent, dropped: flushed.dropped };
  },
  /** A later delivery round: nothing is left to send. */
  async flushAgain() {
    const pp = await start();
    const flushed = await pp.flush();
    pp.close();
    return { sent: flushed.sent, dropped: flushed.dropped };
  },
  /** createClient with a worker URL that does not load: the error it rejects with. */
  async startWithWorker(workerUrl) {
    try {
      (await start({ workerUrl, handshakeTimeoutMs: 600_000 })).close();
      return { resolved: true };
    } catch (error) {
      return { code: error.code, message: String(error.message) };
    }
  },
};
document.body.dataset.ready = 'true';
