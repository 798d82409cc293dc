/**
 * What an operation needs: the store, a clock and who acts (a token label from the HTTP API, or
 * e.g. `cli:<user>` from the command line). Operations are plain async functions that validate
 * their own input with valibot and throw HttpError (status + stable code), so the HTTP routes and
 * the CLI share one implementation and one set of checks.
 */
import { cryptoRandomSource, type RandomSource } from '@practical-privacy/core';
import type { AuditAction, AuditRecord, Repository } from '../storage/repository.ts';

export interface OperationContext {
  repository: Repository;
  now: () => Date;
  /** The label recorded in the audit log. */
  actor: string;
  /** Bytes for generated tokens and keys (default: the platform CSPRNG). */
  random?: RandomSource;
}

export function auditRecord(ctx: OperationContext, action: AuditAction, fields: Omit<AuditRecord, 'at' | 'actor' | 'action'> = {}): AuditRecord {
  return { at: ctx.now().toISOString(), actor: ctx.actor, action, ...fields };
}

/** `prefix` + `bytes` random bytes in base64url: 256 bits for bearer tokens, 192 for ingest keys. */
export function randomSecret(ctx: OperationContext, prefix: string, bytes: number): string {
  const buffer = new Uint8Array(bytes);
  (ctx.random ?? cryptoRandomSource()).fill(buffer);
  return prefix + Buffer.from(buffer).toString('base64url');
}
