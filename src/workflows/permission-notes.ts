/**
 * Graph reads that came back 403 because an application permission is missing, so cards can
 * say so in place of the field ("actor unknown — AuditLog.Read.All missing?") instead of
 * waiting forever. A later successful read clears the note. Kept per process.
 */
export interface PermissionNotes {
  missing(permission: string): void;
  granted(permission: string): void;
  isMissing(permission: string): boolean;
}

export function createPermissionNotes(): PermissionNotes {
  const missing = new Set<string>();
  return {
    missing: (permission) => void missing.add(permission),
    granted: (permission) => void missing.delete(permission),
    isMissing: (permission) => missing.has(permission),
  };
}

export const AUDIT_PERMISSION = 'AuditLog.Read.All';
export const NAME_PERMISSION = 'Directory.Read.All';
export const ACTOR_UNAVAILABLE = `actor unknown — ${AUDIT_PERMISSION} missing?`;
export const NAME_UNAVAILABLE = `name unavailable — ${NAME_PERMISSION} missing?`;
