/** Importing the SDK touches no browser global (SSR-safe): every one of them throws here if read. */
import { describe, expect, it } from 'vitest';

describe('SSR safety', () => {
  it('imports the facade and the worker API without reading window, document, navigator, indexedDB, Worker or crypto', async () => {
    const names = ['window', 'document', 'navigator', 'indexedDB', 'Worker', 'crypto', 'self', 'localStorage'];
    const saved = names.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
    const touched: string[] = [];
    for (const name of names) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          touched.push(name);
          throw new Error(`${name} read at import time`);
        },
      });
    }
    try {
      const sdk = await import('../src/index.ts');
      const api = await import('../src/worker/api.ts');
      expect(typeof sdk.createClient).toBe('function');
      expect(typeof api.createWorkerApi).toBe('function');
    } finally {
      for (const [name, descriptor] of saved) {
        if (descriptor === undefined) delete (globalThis as Record<string, unknown>)[name];
        else Object.defineProperty(globalThis, name, descriptor);
      }
    }
    expect(touched).toEqual([]);
  });
});
