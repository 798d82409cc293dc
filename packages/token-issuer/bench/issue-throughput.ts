/**
 * `pnpm bench` step "token-issuer": the issuer's throughput, for sizing (README, "Sizing").
 *
 * Measured in one run, on one core: (1) privacypass-ts's own Issuer.issue (blindrsa-ts, sjcl big
 * numbers, no CRT) as the baseline; (2) this package's native BlindSigner (Node's OpenSSL RSASP1);
 * (3) the whole TokenIssuer.issue path with the SQLite allowance store (parse, check, claim with an
 * fsynced commit, sign) in bulk calls of 20 requests — what the service does per token. CPU per token
 * is process.cpuUsage() (user + system) over the loop; tokens/s is wall-clock.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { publicVerif, TOKEN_TYPES } from '@cloudflare/privacypass-ts';
import { base64UrlDecode } from '@practical-privacy/core';
import { BlindSigner, generateSigningKey } from '../src/signing-key.ts';
import { TokenIssuer } from '../src/issuer.ts';
import { SqliteIssuerStore } from '../src/store.ts';
import { blindFor, binding, importVerifyKey, tokenCampaign } from '../test/helpers.ts';

const quick = process.argv.includes('--quick');
const N_REFERENCE = quick ? 3 : 12;
const N_NATIVE = quick ? 50 : 400;
const N_SERVICE = quick ? 40 : 400;

async function measure(n: number, run: (i: number) => Promise<unknown> | unknown) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await run(i);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { tokensPerSecond: n / wall, cpuMsPerToken: (cpu.user + cpu.system) / 1000 / n };
}

const key = await generateSigningKey();
const listed = { keyId: key.keyId, campaignId: 'c', questionId: 'q', periodStart: '2026-03-11', issueUntil: '2026-03-12T00:00:00Z', expires: '2026-03-13T00:00:00Z', publicKey: Buffer.from(key.publicKey).toString('base64url') };
const blinded = await Promise.all(Array.from({ length: Math.max(N_REFERENCE, N_NATIVE) }, () => blindFor(listed)));
const requests = blinded.map((b) => publicVerif.TokenRequest.deserialize(TOKEN_TYPES.BLIND_RSA, base64UrlDecode(b.request, 259)));

const privateKey = await crypto.subtle.importKey('pkcs8', key.privateKeyPkcs8, TOKEN_TYPES.BLIND_RSA.rsaParams, true, ['sign']);
const publicKey = await importVerifyKey(key.publicKey);
const reference = new publicVerif.Issuer(publicVerif.BlindRSAMode.PSS, binding.issuer, privateKey, publicKey);
const baseline = await measure(N_REFERENCE, (i) => reference.issue(requests[i]!));
const signer = new BlindSigner(key);
const native = await measure(N_NATIVE, (i) => signer.sign(requests[i]!.blindedMsg));

// The service path: SQLite store (synchronous=FULL), accounts of 20 requests (a patient's bulk fetch).
const dbPath = `/tmp/pp-issuer-bench-${process.pid}.db`;
const store = new SqliteIssuerStore(dbPath);
const campaign = { ...tokenCampaign(), questions: Array.from({ length: 20 }, (_, i) => ({ id: `q${i}`, type: 'boolean', prompt: 'q?', tier: 'moderate', epsilon: 1 })) };
const issuer = new TokenIssuer({ name: binding.issuer, store, campaigns: [campaign], aheadDays: 0, now: () => new Date('2026-03-11T10:00:00Z') });
await issuer.rotate();
const keys = (await issuer.keyList()).keys;
const perAccount = await Promise.all(keys.map((k) => blindFor(k)));
const calls = N_SERVICE / keys.length;
const service = await measure(calls, (i) => issuer.issue(`patient-${i}`, keys.map((k, j) => ({ keyId: k.keyId, request: perAccount[j]!.request }))));
const serviceResult = { tokensPerSecond: service.tokensPerSecond * keys.length, cpuMsPerToken: service.cpuMsPerToken / keys.length };
await store.close();
for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });

const device = await measure(quick ? 10 : 50, () => blindFor(listed));

const figures = [
  { name: 'privacypass-ts Issuer.issue (baseline: pure-JS RSA, no CRT)', value: baseline.cpuMsPerToken, unit: 'ms CPU per token' },
  { name: 'native BlindSigner (OpenSSL RSASP1 with CRT)', value: native.cpuMsPerToken, unit: 'ms CPU per token' },
  { name: 'speed-up: baseline CPU / native CPU per token', value: baseline.cpuMsPerToken / native.cpuMsPerToken, unit: '×' },
  { name: 'TokenIssuer.issue with SQLite allowance, 20 requests per call', value: serviceResult.tokensPerSecond, unit: 'tokens/s (one core)' },
  { name: 'TokenIssuer.issue with SQLite allowance: CPU per token', value: serviceResult.cpuMsPerToken, unit: 'ms CPU per token' },
  { name: 'device: blind one token request (privacypass-ts client, Node)', value: device.cpuMsPerToken, unit: 'ms CPU per token' },
];
const dailyTokens = 10_000 * 4;
const notes = [
  `Baseline ${N_REFERENCE} tokens, native ${N_NATIVE}, service ${N_SERVICE} (${keys.length} keys, ${calls} accounts). ` +
    `Sizing: 10,000 patients × 4 tokens a day = ${dailyTokens.toLocaleString('en-US')} tokens ≈ ${((dailyTokens * serviceResult.cpuMsPerToken) / 1000).toFixed(0)} s of CPU a day through TokenIssuer ` +
    `(${((dailyTokens * baseline.cpuMsPerToken) / 3_600_000).toFixed(1)} h with privacypass-ts's signer).`,
];
const out = process.env.PP_BENCH_RESULTS ?? path.resolve(import.meta.dirname, '../../../bench/results');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'token-issuer.json'), `${JSON.stringify({ step: 'token-issuer', quick, generatedAt: new Date().toISOString(), figures, notes }, null, 1)}\n`);
for (const f of figures) console.log(`${f.name}: ${f.value.toFixed(3)} ${f.unit}`);
console.log(notes.join('\n'));
