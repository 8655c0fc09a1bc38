/** What GroupGuard changes in the directory, only after a logged decision. */
export interface Remediation {
  /**
   * Re-adds a member; "already a member" counts as success. Throws RestoreFailedError, which
   * carries Graph's request id like the success does.
   */
  addGroupMember(groupId: string, memberId: string): Promise<{ requestId: string | null }>;
}

export class RestoreFailedError extends Error {
  override name = 'RestoreFailedError';
  constructor(
    message: string,
    readonly requestId: string | null,
    /** Graph's HTTP status, when Graph answered. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}
