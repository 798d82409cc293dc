/**
 * The patient client behind the patient view. TODO(integration): back it with
 * @practical-privacy/sdk's createClient (worker, IndexedDB, ledger, outbox) once it lands; until
 * then the interim in-page client is used and the view says so.
 */
import { createInterimClient } from './interim-client.ts';
import type { PatientClient } from './patient-client.ts';

export async function createPatientClient(): Promise<PatientClient> {
  return createInterimClient();
}
