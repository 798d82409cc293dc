/** Shared by the e2e test and test/e2e-seed.test.ts, which checks the seed's margins. */
export const E2E_SIMULATOR_SEED = 'e2e-47';
export const E2E_SIMULATED_PATIENTS = 20_000;
