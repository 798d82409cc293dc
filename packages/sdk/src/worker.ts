/** The module Web Worker entry: exposes the worker API to the facade over comlink. */
import { expose } from 'comlink';
import { createWorkerApi } from './worker/api.ts';

expose(createWorkerApi());
