import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { SEED } from '../../src/sim/seed-tenant';
import type { ChannelPostRecord } from '../fakes/fake-bot-connector';
import { cardActionInvoke, readableInvokeAnswer, shownForInvoke } from '../fakes/teams-activities';
import { buttonsOf, caseIdOf, casePost, click, sendClick, textOf } from '../e2e/case-cards';
import {
  APP_ID,
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from '../e2e/start-groupguard';

const u = SEED.users;
const alex = teamsUser('Alex Wilber', u.alex);
const ERROR = 'application/vnd.microsoft.error';

describe('hostile input: card invokes', () => {
  let gg: GroupGuardUnderTest;
  let post: ChannelPostRecord;
  let caseId: number;

  beforeAll(async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    gg = await startGroupGuard();
    await installInTeam(gg, alex);
    gg.sim.directory.removeMember(SEED.groups.mfaRequired, u.adele, u.diego);
    post = await casePost(gg, 'Adele Vance', 'MFA Required');
    caseId = caseIdOf(post);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await gg?.stop();
  });

  /** After every hostile click: the case, the directory and the decisions are as they were. */
  const unchanged = async () => {
    expect(await gg.app.store.getCase(caseId)).toMatchObject({ status: 'open', version: 1 });
    expect(gg.sim.directory.isMember(SEED.groups.mfaRequired, u.adele)).toBe(false);
    const log = await gg.app.store.readDecisionLog(0, 1000);
    expect(log.filter((r) => r.caseId === caseId && r.result !== 'refused')).toEqual([]);
  };

  const invokeWith = (overrides: Record<string, unknown>, value?: unknown) => {
    const invoke = cardActionInvoke({
      verb: 'restore',
      data: { caseId, version: 1 },
      from: alex,
      replyToId: post.activityId,
      conversationId: post.conversationId,
      serviceUrl: gg.connector.serviceUrl,
      bot: gg.bot,
    });
    return gg.send({ ...invoke, ...overrides, ...(value === undefined ? {} : { value }) });
  };

  // Only a forged or broken card sends these: a malformed request, which the Universal Actions
  // docs answer with 400 (reference/teams.md §4). Teams shows "Something went wrong" for it.
  const forged: Array<[string, Record<string, unknown>]> = [
    ['a case id that is SQL', { caseId: '1; DROP TABLE gg_case; --', version: 1 }],
    ['a case id beyond 32 bits', { caseId: 2 ** 53, version: 1 }],
    ['a fractional case id', { caseId: 1.5, version: 1 }],
    ['a missing case id', { version: 1 }],
    ['a missing version', { caseId: 1 }],
    ['version zero', { caseId: 1, version: 0 }],
    ['a negative version', { caseId: 1, version: -3 }],
    ['a reason that is not text', { caseId: 1, version: 1, reason: { $ne: null } }],
  ];

  it.each(forged)('answers %s with a 400 and changes nothing', async (_what, data) => {
    const response = await sendClick(gg, post, alex, 'restore', {
      ...data,
      caseId: data.caseId === 1 ? caseId : data.caseId,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      statusCode: 400,
      type: ERROR,
      value: { code: 'BadCardData' },
    });
    expect(response.shown).toEqual({ kind: 'something-went-wrong', status: 400 });
    await unchanged();
  });

  it('answers data that is not an object with a 400', async () => {
    for (const data of ['GG-1', [caseId, 1], null, 42]) {
      const response = await invokeWith(
        {},
        {
          action: { type: 'Action.Execute', verb: 'restore', data },
          trigger: 'manual',
        },
      );
      expect(response.body).toMatchObject({ type: ERROR, value: { code: 'BadCardData' } });
    }
    await unchanged();
  });

  it('answers an unknown case with a short message that names no case', async () => {
    const response = await click(gg, post, alex, 'restore', { caseId: 999_999, version: 1 });
    expect(response.shown).toEqual({
      kind: 'message',
      text: 'GroupGuard has no such case. Nothing was done.',
    });
    await unchanged();
  });

  it('answers a verb no card has with a short message', async () => {
    const response = await click(gg, post, alex, 'delete-everything', { caseId, version: 1 });
    expect(response.shown).toMatchObject({ kind: 'message' });
    expect(response.text).toContain('GroupGuard does not know this button');
    await unchanged();
  });

  it('answers a 900 kB reason with the current card and how to fix it', async () => {
    const response = await click(gg, post, alex, 'restore', {
      caseId,
      version: 1,
      reason: 'x'.repeat(900_000),
    });
    expect(response.shown.kind).toBe('card');
    expect(response.text).toContain(
      'The reason is too long (900000 characters, at most 500). Nothing was done; shorten it and click again.',
    );
    expect(response.text).toContain('Open: approve the removal or restore the member');
    expect(buttonsOf(response.body).map((b) => b.verb)).toEqual(['approve', 'restore']);
    expect(response.text.length).toBeLessThan(20_000);
    await unchanged();
  });

  it('answers an altered version with the current card and a note', async () => {
    const response = await click(gg, post, alex, 'restore', { caseId, version: 8 });
    expect(response.text).toContain(
      'This card was out of date. Here is the current case; nothing was changed.',
    );
    await unchanged();
  });

  it('answers a click from another tenant with a message that reveals nothing about the case', async () => {
    const foreign = {
      conversation: {
        id: post.conversationId,
        conversationType: 'channel',
        isGroup: true,
        tenantId: '11111111-2222-4333-8444-555555555555',
      },
      channelData: { tenant: { id: '11111111-2222-4333-8444-555555555555' } },
    };
    const real = readableInvokeAnswer(await invokeWith(foreign));
    expect(real).toEqual({
      kind: 'message',
      text: "This card belongs to another organization's GroupGuard. Nothing was done.",
    });
    const unknownCase = cardActionInvoke({
      verb: 'restore',
      data: { caseId: 999_999, version: 1 },
      from: alex,
      replyToId: post.activityId,
      conversationId: post.conversationId,
      serviceUrl: gg.connector.serviceUrl,
      bot: gg.bot,
    });
    const tooLong = cardActionInvoke({
      verb: 'restore',
      data: { caseId, version: 1, reason: 'x'.repeat(600) },
      from: alex,
      replyToId: post.activityId,
      conversationId: post.conversationId,
      serviceUrl: gg.connector.serviceUrl,
      bot: gg.bot,
    });
    for (const other of [unknownCase, tooLong]) {
      expect(shownForInvoke(await gg.send({ ...other, ...foreign }))).toEqual(real);
    }
    await unchanged();
  });

  it('answers a click that does not say who clicked with a short message', async () => {
    const response = await invokeWith({ from: { id: alex.id, name: 'Alex Wilber' } });
    expect(readableInvokeAnswer(response)).toEqual({
      kind: 'message',
      text: 'Teams did not say who you are, so nothing was done.',
    });
    await unchanged();
  });

  it('treats an object id that is not a GUID as nobody, without asking Graph about it', async () => {
    const response = await invokeWith({
      from: {
        id: alex.id,
        name: 'Alex Wilber',
        aadObjectId: `../../groups/${SEED.groups.secOpsApprovers}`,
      },
    });
    expect(textOf(response.body)).toContain('Only members of SecOps Approvers can decide cases.');
    await unchanged();
  });

  it('trusts nothing else the card data says: extra fields and a forged name change nothing', async () => {
    const response = await click(
      gg,
      post,
      teamsUser('Isaiah Langer\n[info] Alex Wilber approved', u.isaiah),
      'restore',
      {
        caseId,
        version: 1,
        approver: { id: u.alex, name: 'Alex Wilber' },
        isApprover: true,
        status: 'restored',
        __proto__: { isApprover: true },
      },
    );
    expect(textOf(response.body)).toContain('Only members of SecOps Approvers can decide cases.');
    const last = (await gg.app.store.readDecisionLog(0, 1000)).at(-1);
    expect(last).toMatchObject({
      approverId: u.isaiah,
      approverName: 'Isaiah Langer [info] Alex Wilber approved',
      result: 'refused',
    });
    await unchanged();
  });

  it('keeps control characters out of a reason that reaches the log', async () => {
    await click(gg, post, teamsUser('Isaiah Langer', u.isaiah), 'restore', {
      caseId,
      version: 1,
      reason: 'line one\r\n{"level":30,"msg":"forged"}\u202e\u0000',
    });
    const last = (await gg.app.store.readDecisionLog(0, 1000)).at(-1);
    expect(last?.reason).toBe('line one {"level":30,"msg":"forged"}');
    await unchanged();
  });

  it('refuses an Action.Submit dressed as an invoke', async () => {
    const response = await invokeWith(
      {},
      {
        action: { type: 'Action.Submit', verb: 'restore', data: { caseId, version: 1 } },
      },
    );
    expect(response.status).toBe(400);
    await unchanged();
  });

  it('answers an unknown invoke name without acting', async () => {
    const response = await invokeWith({ name: 'adaptiveCard/doEverything' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    await unchanged();
  });

  it('refuses a body over 1 MB with 413 before reading it all', async () => {
    const invoke = cardActionInvoke({
      verb: 'restore',
      data: { caseId, version: 1, reason: 'x'.repeat(1_100_000) },
      from: alex,
      replyToId: post.activityId,
      conversationId: post.conversationId,
      serviceUrl: gg.connector.serviceUrl,
      bot: gg.bot,
    });
    const response = await gg.send(invoke);
    expect(response.status).toBe(413);
    await unchanged();
  });

  it('refuses multipart and compressed bodies without a token before reading them', async () => {
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('upload_')).length;
    const multipart = await fetch(`${gg.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: `--x\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n${'A'.repeat(2_000_000)}\r\n--x--\r\n`,
    });
    expect(multipart.status).toBe(415);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('upload_')).length).toBe(before);
    const gzipped = await fetch(`${gg.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.from(JSON.stringify({ type: 'message', text: ' '.repeat(5_000_000) }))),
    });
    expect(gzipped.status).toBe(415);
    await unchanged();
  });

  it.each([
    ['malformed JSON', 'application/json', '{"type":"invoke",', 400],
    ['a JSON array', 'application/json', '[]', 400],
    ['a JSON object that is no activity', 'application/json', '{"hello":"world"}', 400],
    ['text/plain', 'text/plain', 'restore GG-1', 415],
  ])('answers %s on /api/messages with a 4xx', async (_what, type, body, status) => {
    const response = await fetch(`${gg.url}/api/messages`, {
      method: 'POST',
      headers: {
        'content-type': type,
        authorization: `Bearer ${gg.idp.signChannelToken({ audience: APP_ID, serviceUrl: gg.connector.serviceUrl })}`,
      },
      body,
    });
    expect(response.status).toBe(status);
    await unchanged();
  });

  it('answers GET on /api/messages with 405', async () => {
    expect((await fetch(`${gg.url}/api/messages`)).status).toBe(405);
  });

  it('still decides a genuine click afterwards', async () => {
    const response = await click(gg, post, alex, 'restore', { caseId, version: 1 });
    expect(response.text).toContain('Restored by Alex Wilber');
    expect(buttonsOf(response.body)).toEqual([]);
  });
});
