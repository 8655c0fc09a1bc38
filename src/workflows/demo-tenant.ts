export interface DemoGroup {
  id: string;
  displayName: string;
  kind: string;
  members: Array<{ id: string; displayName: string }>;
}

/** The simulated tenant as the demo's seeded admin sees it, through Graph. */
export interface DemoTenant {
  adminName: string;
  listGroups(): Promise<DemoGroup[]>;
  listUsers(): Promise<Array<{ id: string; displayName: string }>>;
  removeMember(groupId: string, memberId: string): Promise<void>;
}

export type DemoRemoval =
  | { kind: 'ok'; group: DemoGroup; member: { id: string; displayName: string } }
  | { kind: 'unknown-group'; known: string[] }
  | { kind: 'unknown-member'; group: DemoGroup };

const norm = (s: string) => s.trim().toLowerCase();

/** A person of the simulated tenant by display name, first name, or id. */
export function resolveDemoPerson<T extends { id: string; displayName: string }>(
  people: T[],
  text: string,
): T | null {
  const wanted = norm(text);
  return (
    people.find((p) => norm(p.displayName) === wanted || p.id === text.trim()) ??
    people.find((p) => norm(p.displayName).split(' ')[0] === wanted) ??
    null
  );
}

/** Resolves "remove <member> from <group>" by display name, first name, or id. */
export function resolveDemoRemoval(
  groups: DemoGroup[],
  memberText: string,
  groupText: string,
): DemoRemoval {
  const group = groups.find(
    (g) => norm(g.displayName) === norm(groupText) || g.id === groupText.trim(),
  );
  if (!group) return { kind: 'unknown-group', known: groups.map((g) => g.displayName) };
  const wanted = norm(memberText);
  const member = group.members.find(
    (m) =>
      norm(m.displayName) === wanted ||
      m.id === memberText.trim() ||
      norm(m.displayName).split(' ')[0] === wanted,
  );
  return member ? { kind: 'ok', group, member } : { kind: 'unknown-member', group };
}
