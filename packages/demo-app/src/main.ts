/**
 * Entry point: wires the four views to the router. The SDK client is created lazily, on the
 * first visit to the patient view, so the dashboard never starts the SDK's worker.
 */
import './styles.css';
import { createPatientClient, type PatientClient } from './patient-client.ts';
import { startRouter } from './router.ts';
import { dashboardView } from './views/dashboard.ts';
import { patientView } from './views/patient.ts';
import { simulatorView } from './views/simulator.ts';
import { tradeoffsView } from './views/tradeoffs.ts';

let client: Promise<PatientClient> | undefined;
const getClient = (): Promise<PatientClient> => (client ??= createPatientClient());

startRouter(document.getElementById('main')!, {
  patient: patientView(getClient),
  dashboard: dashboardView(),
  simulator: simulatorView(),
  tradeoffs: tradeoffsView(),
});
