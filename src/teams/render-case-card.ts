import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { formatCaseRef, type Case } from '../core/case.js';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export interface CaseCardView {
  ref: string;
  caseId: number;
  version: number;
  groupName: string;
  memberName: string;
  removedAt: string;
  foundBy: string;
  statusText: string;
  statusColor: 'Attention' | 'Good' | 'Accent' | 'Warning';
  headerStyle: 'attention' | 'good' | 'accent' | 'warning';
  isOpen: boolean;
  restoreBlockedReason: string;
  lastError: string;
  notice: string;
}

const template = new ACData.Template(
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'cards', 'case.json'), 'utf8')),
);

// Teams formats these in each reader's locale and time zone; it wants RFC 3339 without fractions.
const teamsTime = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');
const at = (iso: string) => `{{DATE(${teamsTime(iso)}, SHORT)}} {{TIME(${teamsTime(iso)})}}`;

export function caseCardView(c: Case, notice = ''): CaseCardView {
  const base = {
    ref: formatCaseRef(c.id),
    caseId: c.id,
    version: c.version,
    groupName: c.groupName,
    memberName: c.memberName,
    removedAt: teamsTime(c.removedAt),
    foundBy:
      c.foundBy === 'sweep' ? 'periodic sweep (notification was missed)' : 'change notification',
    isOpen: c.status === 'open',
    restoreBlockedReason: c.restoreBlockedReason ?? '',
    lastError: c.lastError ?? '',
    notice,
  };
  const by = c.decision?.by.name ?? 'someone';
  switch (c.status) {
    case 'open':
      return {
        ...base,
        statusText: 'Open: approve the removal or restore the member',
        statusColor: 'Attention',
        headerStyle: 'attention',
      };
    case 'restoring':
      return {
        ...base,
        statusText: `Restore requested by ${by}, in progress`,
        statusColor: 'Accent',
        headerStyle: 'accent',
      };
    case 'restored':
      return {
        ...base,
        statusText: `Restored by ${by} at ${at(c.decision?.at ?? c.removedAt)}`,
        statusColor: 'Good',
        headerStyle: 'good',
      };
    case 'approved':
      return {
        ...base,
        statusText: `Removal approved by ${by} at ${at(c.decision?.at ?? c.removedAt)}`,
        statusColor: 'Good',
        headerStyle: 'good',
      };
  }
}

/** `notice` is shown only to the person who clicked (it travels in the invoke response). */
export function renderCaseCard(c: Case, notice = ''): Record<string, unknown> {
  return template.expand({ $root: caseCardView(c, notice) }) as Record<string, unknown>;
}

export function caseCardAttachment(c: Case) {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: renderCaseCard(c) };
}
