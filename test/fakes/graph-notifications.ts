import changeFixture from '../fixtures/graph/group-change-notification.json';
import lifecycleFixture from '../fixtures/graph/lifecycle-reauthorization-required.json';

type Notification = Record<string, unknown>;

/** A group change notification as Graph posts it (documented envelope, see the fixture's README). */
export function groupChangeNotification(options: {
  subscriptionId: string;
  /** Omitted when undefined, as a forged or broken sender might. */
  clientState: string | undefined;
  groupId: string;
  tenantId?: string;
}): Notification {
  const { clientState: _documented, ...template } = changeFixture.value[0] as Notification;
  return {
    ...template,
    subscriptionId: options.subscriptionId,
    ...(options.clientState === undefined ? {} : { clientState: options.clientState }),
    resource: `Groups/${options.groupId}`,
    ...(options.tenantId === undefined ? {} : { tenantId: options.tenantId }),
    resourceData: {
      ...(template.resourceData as Notification),
      '@odata.id': `Groups/${options.groupId}`,
      id: options.groupId,
    },
  };
}

export function lifecycleNotification(options: {
  subscriptionId: string;
  clientState: string;
  lifecycleEvent?: string;
}): Notification {
  return {
    ...(lifecycleFixture.value[0] as Notification),
    subscriptionId: options.subscriptionId,
    clientState: options.clientState,
    ...(options.lifecycleEvent ? { lifecycleEvent: options.lifecycleEvent } : {}),
  };
}

export function postNotifications(url: string, value: unknown[]): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ value }),
  });
}
