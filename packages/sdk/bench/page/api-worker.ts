/**
 * The SDK's worker API in a module worker of its own, driven without the facade: lets the benchmark
 * time the worker's report() on its own, and a pendingBodies() round trip (the page-hide bodies,
 * from the transport's cache) separately.
 */
import { expose } from 'comlink';
import { createSteppingWorkerApi } from './clock.ts';

expose(createSteppingWorkerApi());
