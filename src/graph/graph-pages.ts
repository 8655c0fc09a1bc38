import type { Client } from '@microsoft/microsoft-graph-client';

/** One page of a Graph collection, as Graph sends it. */
export interface GraphPage<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/**
 * A Graph collection page by page, following `@odata.nextLink` until a page has none; one page
 * in memory at a time. Graph's paging docs: "Paging Microsoft Graph data in your app"
 * (https://learn.microsoft.com/graph/paging). The last page of a delta round carries
 * `@odata.deltaLink` instead.
 */
export async function* graphPages<T>(
  client: Client,
  firstUrl: string,
): AsyncGenerator<GraphPage<T>> {
  let url: string | undefined = firstUrl;
  while (url) {
    const page = (await client.api(url).get()) as GraphPage<T>;
    yield page;
    url = page['@odata.nextLink'];
  }
}

/** Every item of a collection, read page by page; for the small collections callers need whole. */
export async function graphItems<T>(client: Client, firstUrl: string): Promise<T[]> {
  const items: T[] = [];
  for await (const page of graphPages<T>(client, firstUrl)) items.push(...(page.value ?? []));
  return items;
}
