/** One contract for both issuer stores: the allowance is exact within one call, across calls and for retries. */
import { describe, expect, it } from 'vitest';
import { MemoryIssuerStore, SqliteIssuerStore, type IssuerStore } from '../src/store.ts';

function contract(name: string, open: () => IssuerStore) {
  describe(name, () => {
    it('grants up to the limit per (account, key), repeats a known request, refuses the rest', async () => {
      const store = open();
      const at = '2026-03-11T10:00:00.000Z';
      expect(await store.claimMany('a', [{ keyId: 'k1', requestDigest: 'd1' }, { keyId: 'k1', requestDigest: 'd2' }, { keyId: 'k1', requestDigest: 'd1' }, { keyId: 'k2', requestDigest: 'd3' }], 1, at)).toEqual(['granted', 'exceeded', 'repeat', 'granted']);
      expect(await store.claimMany('a', [{ keyId: 'k1', requestDigest: 'd4' }], 1, at)).toEqual(['exceeded']);
      expect(await store.claimMany('b', [{ keyId: 'k1', requestDigest: 'd4' }], 1, at)).toEqual(['granted']);
      expect(await store.claimMany('c', [{ keyId: 'k1', requestDigest: 'x' }, { keyId: 'k1', requestDigest: 'y' }, { keyId: 'k1', requestDigest: 'z' }], 2, at)).toEqual(['granted', 'granted', 'exceeded']);
      expect((await store.listClaims()).map((c) => `${c.accountId}/${c.keyId}`).sort()).toEqual(['a/k1', 'a/k2', 'b/k1', 'c/k1', 'c/k1']);
      await store.close();
    });
  });
}

contract('MemoryIssuerStore', () => new MemoryIssuerStore());
contract('SqliteIssuerStore', () => new SqliteIssuerStore(':memory:'));
