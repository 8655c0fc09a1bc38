const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entra object ids (users, groups, apps, tenants) are GUIDs; anything else is refused early. */
export function isObjectId(value: string): boolean {
  return OBJECT_ID.test(value);
}
