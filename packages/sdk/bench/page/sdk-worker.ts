/** The SDK worker as src/worker.ts builds it, with the benchmark's stepping clock (clock.ts). */
import { expose } from 'comlink';
import { createSteppingWorkerApi } from './clock.ts';

expose(createSteppingWorkerApi());
