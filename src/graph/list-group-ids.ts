import type { Client } from '@microsoft/microsoft-graph-client';
import { graphItems } from './graph-pages.js';

/** Every group id in the tenant; the simulated tenant watches all of its groups. */
export async function listGroupIds(client: Client): Promise<string[]> {
  return (await graphItems<{ id: string }>(client, '/groups?$select=id')).map((g) => g.id);
}
