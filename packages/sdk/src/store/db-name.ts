/**
 * The default IndexedDB database name, in a module of its own so the facade (which must not bundle
 * idb) and the worker's store agree on it: the cross-tab opt-out channel is named after it.
 */
export const DEFAULT_DB_NAME = 'practical-privacy';
