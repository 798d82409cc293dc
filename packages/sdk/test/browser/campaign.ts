import type { CampaignInput } from '@practical-privacy/core';

export const RAW = { string: 'migraine-with-aura-zq7', categorical: 'nausea-cat-x9' };

export const e2eCampaign: CampaignInput = {
  id: 'sdk-e2e',
  version: 1,
  title: 'SDK end-to-end',
  questions: [
    { id: 'fever', prompt: 'Fever today?', type: 'boolean', tier: 'low', epsilon: 1 },
    {
      id: 'symptom',
      prompt: 'Main symptom',
      type: 'categorical',
      tier: 'moderate',
      epsilon: 1,
      domain: { categories: [{ code: 'headache', label: 'Headache' }, { code: RAW.categorical, label: 'Nausea' }, { code: 'none', label: 'None' }] },
    },
    { id: 'pain', prompt: 'Pain', type: 'numeric', tier: 'low', epsilon: 1, domain: { low: 0, high: 10 } },
    { id: 'diagnosis', prompt: 'Diagnosis', type: 'string', tier: 'low', epsilon: 1.1, domain: { candidates: ['migraine', 'flu'], rappor: { k: 16, h: 2, m: 4, f: 0.5, p: 0.5, q: 0.75 } } },
  ],
};
