/**
 * A Graph link (delta, next page) without origin and version, as `client.api()` takes it: a
 * stored delta link then still works against a simulator on a new port, or a changed Graph base.
 * Links already relative, or without a `/v1.0` segment, come back unchanged.
 */
export function relativeGraphLink(link: string): string {
  const match = /^https?:\/\/[^/]+\/v1\.0(\/.*)$/i.exec(link);
  return match?.[1] ?? link;
}
