/** How a case time is written for one medium: card text or a chat reply. */
export type TimeFormat = (iso: string) => string;

/** RFC 3339 without fractions of a second, the only form Teams' date markup accepts. */
export const teamsTimestamp = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');

/** In card text: Teams shows it in each reader's own locale and time zone. */
export const cardTime: TimeFormat = (iso) =>
  `{{DATE(${teamsTimestamp(iso)}, SHORT)}} {{TIME(${teamsTimestamp(iso)})}}`;

/** In a chat reply, where Teams evaluates no date markup: UTC, to the minute. */
export const chatTime: TimeFormat = (iso) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
