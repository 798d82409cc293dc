/** The admin, lifecycle, key and listing routes are in the OpenAPI document, with the schemas generated from the valibot schemas that validate them. */
import { expect, it } from 'vitest';
import { makeApp } from './helpers.ts';

it('documents every new route, its bearer security and its request schema', async () => {
  const app = await makeApp();
  const doc = (await app.inject('/docs/json')).json() as { paths: Record<string, Record<string, { security?: unknown[]; requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean } }> }; parameters?: Array<{ in: string; name: string; required?: boolean }> }>> };
  const routes: Array<[string, string]> = [
    ['/v1/campaigns', 'get'],
    ['/v1/campaigns/{id}/close', 'post'],
    ['/v1/campaigns/{id}/purge', 'post'],
    ['/v1/campaigns/{id}/retention', 'post'],
    ['/v1/campaigns/{id}/ingest-keys', 'get'],
    ['/v1/campaigns/{id}/ingest-keys', 'post'],
    ['/v1/campaigns/{id}/ingest-keys/{label}/revoke', 'post'],
    ['/v1/admin/tokens', 'get'],
    ['/v1/admin/tokens', 'post'],
    ['/v1/admin/tokens/{label}/revoke', 'post'],
    ['/v1/admin/audit', 'get'],
  ];
  for (const [path, method] of routes) expect(doc.paths[path]?.[method]?.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
  const tokenBody = doc.paths['/v1/admin/tokens']!.post!.requestBody!.content['application/json']!.schema;
  expect(Object.keys(tokenBody.properties).sort()).toEqual(['campaigns', 'expiresAt', 'label', 'role']);
  expect(tokenBody.required).toEqual(['label', 'role']);
  expect(tokenBody.additionalProperties).toBe(false);
  expect(Object.keys(doc.paths['/v1/campaigns/{id}/ingest-keys']!.post!.requestBody!.content['application/json']!.schema.properties).sort()).toEqual(['expiresAt', 'key', 'label']);
  expect(doc.paths['/v1/campaigns/{id}/retention']!.post!.requestBody!.content['application/json']!.schema.required).toEqual(['days']);
  expect(doc.paths['/v1/campaigns/{id}/purge']!.post!.parameters).toContainEqual(expect.objectContaining({ in: 'query', name: 'confirm', required: true }));
  expect(doc.paths['/v1/admin/audit']!.get!.parameters!.filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(['action', 'before', 'campaign', 'limit']);
  await app.close();
});
