/**
 * The SDK's worker API in a module worker of its own, driven without the facade: lets the benchmark
 * split report() into its two round trips — the worker's report() and the facade's re-read of the
 * queued batch bodies (pendingBodies, for the page-hide beacon).
 */
import { expose } from 'comlink';
import { createSteppingWorkerApi } from './clock.ts';

expose(createSteppingWorkerApi());
