import type { Client } from '@microsoft/microsoft-graph-client';

/** Every group id in the tenant; the simulated tenant watches all of its groups. */
export async function listGroupIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  let url: string | undefined = '/groups?$select=id';
  while (url) {
    const page: { value?: Array<{ id: string }>; '@odata.nextLink'?: string } = await client
      .api(url)
      .get();
    for (const group of page.value ?? []) ids.push(group.id);
    url = page['@odata.nextLink'];
  }
  return ids;
}
