import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  simulatorConnection,
  startGraphSimulator,
  type GraphSimulator,
} from '../../src/sim/graph-simulator';
import { SEED, seedTenant } from '../../src/sim/seed-tenant';
import { RestoreFailedError } from '../../src/workflows/ports';
import { failurePhrase } from '../../src/workflows/settle-restore';
import { caseIdOf, clickCurrent, textOf } from '../e2e/case-cards';
import {
  eventually,
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from '../e2e/start-groupguard';

const u = SEED.users;
const g = SEED.groups;
const alex = teamsUser('Alex Wilber', u.alex);

// Whoever may create groups or edit profiles in the tenant chooses these names.
const GROUP_NAME =
  '**URGENT** [Sign in again](https://evil.example/login)\n\nRestored by Megan Bowen {{DATE(2026-01-01T00:00:00Z, SHORT)}} \u202Enimda\u202C';
const MEMBER_NAME = '<at>Megan Bowen</at> _click_ www.evil.example';

/**
 * A tenant whose group and member names carry markdown, links, a mention, Teams date markup, a
 * forged status line and a bidi override: the posted card must show them as plain text.
 */
describe('hostile directory: names on the case card are inert', () => {
  let sim: GraphSimulator;
  let gg: GroupGuardUnderTest;
  let work: string;

  beforeAll(async () => {
    sim = await startGraphSimulator({
      tenant: {
        ...seedTenant,
        groups: seedTenant.groups.map((group) =>
          group.id === g.finance ? { ...group, displayName: GROUP_NAME } : group,
        ),
        users: seedTenant.users.map((user) =>
          user.id === u.lee ? { ...user, displayName: MEMBER_NAME } : user,
        ),
      },
    });
    work = mkdtempSync(join(tmpdir(), 'groupguard-inert-'));
    const connectionFile = join(work, 'sim.json');
    writeFileSync(connectionFile, JSON.stringify(simulatorConnection(sim)));
    gg = await startGroupGuard({ GRAPH_SIMULATOR_CONNECTION_FILE: connectionFile }, {}, sim);
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
    await sim?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shows the names with no link, mention, date markup, emphasis, line break or bidi control', async () => {
    sim.directory.removeMember(g.finance, u.lee, u.diego);
    const post = await eventually(
      async () => gg.connector.posts().find((p) => textOf(p.card).includes('nimda')),
      'the case card',
    );
    const answer = await clickCurrent(gg, post, alex, 'restore');
    // The one URL a card may hold is its own schema's.
    const shown = (text: string) =>
      text.replace('"http://adaptivecards.io/schemas/adaptive-card.json"', '');
    for (const text of [shown(textOf(post.card)), shown(answer.text)]) {
      expect(text).not.toMatch(/https?:\/\//);
      expect(text).not.toContain('](');
      expect(text).not.toContain('www.evil');
      expect(text).not.toContain('evil.example');
      expect(text).not.toContain('<at>');
      expect(text).not.toContain('**');
      expect(text).not.toContain('_click_');
      expect(text).not.toMatch(/\{\{DATE\(2026-01-01/);
      expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
      expect(text).not.toMatch(/\\n\\nRestored by Megan/);
    }
    expect(textOf(post.card)).toContain(
      '∗∗URGENT∗∗ ⁅Sign in again⁆(https[:]//evil[.]example/login) Restored by Megan Bowen ❴❴DATE(2026-01-01T00:00:00Z, SHORT)❵❵ nimda',
    );
    expect(textOf(post.card)).toContain('‹at›Megan Bowen‹/at› ＿click＿ www[.]evil[.]example');
    expect(await gg.app.store.getCase(caseIdOf(post))).toMatchObject({ groupName: GROUP_NAME });
  });
});

describe('failurePhrase', () => {
  it("tells the channel the kind of failure, never Graph's own text", () => {
    const hostile = 'One or more added object references already exist [x](https://evil.example)';
    const cases: Array<[RestoreFailedError | Error, string]> = [
      [new RestoreFailedError(hostile, 'r', 429), 'kept throttling GroupGuard (HTTP 429)'],
      [new RestoreFailedError(hostile, 'r', 403), 'did not allow GroupGuard to change this group'],
      [new RestoreFailedError(hostile, 'r', 404), 'no longer exists in the directory'],
      [new RestoreFailedError(hostile, 'r', 503), 'Microsoft Graph failed (HTTP 503)'],
      [new RestoreFailedError(hostile, 'r', 400), 'Microsoft Graph refused the change (HTTP 400)'],
      [new Error(`connect ECONNREFUSED ${hostile}`), 'Microsoft Graph could not be reached'],
    ];
    for (const [error, phrase] of cases) {
      expect(failurePhrase(error)).toContain(phrase);
      expect(failurePhrase(error)).not.toContain('evil');
      expect(failurePhrase(error)).toMatch(/Details are in GroupGuard's log\.$/);
    }
  });
});
