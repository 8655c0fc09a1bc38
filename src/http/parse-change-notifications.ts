import { z } from 'zod';

const notification = z.object({
  subscriptionId: z.string().min(1).max(100),
  clientState: z.string().max(255).optional().nullable(),
  tenantId: z.string().max(100).optional(),
  changeType: z.string().max(100).optional(),
  lifecycleEvent: z.string().max(100).optional(),
  resource: z.string().max(1000).optional(),
  resourceData: z
    .object({ id: z.string().max(100).optional() })
    .passthrough()
    .optional(),
});
const body = z.object({ value: z.array(notification).min(1).max(10_000) });

export type ChangeNotification = z.infer<typeof notification>;

export class InvalidNotificationError extends Error {
  override name = 'InvalidNotificationError';
}

export function parseChangeNotifications(payload: unknown): ChangeNotification[] {
  const parsed = body.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidNotificationError(
      `not a change notification collection: ${issue ? `${issue.path.join('.') || 'body'} ${issue.message}` : 'invalid'}`,
    );
  }
  return parsed.data.value;
}

/** `Groups/{id}` in `resource`, or `resourceData.id`. */
export function groupIdOf(n: ChangeNotification): string | null {
  const fromData = n.resourceData?.id;
  if (fromData) return fromData;
  const match = /^\/?groups\/([^/]+)/i.exec(n.resource ?? '');
  return match?.[1] ?? null;
}
