import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createApp, type App } from '../../src/app';
import { loadConfig, loadSecrets } from '../../src/config/load-config';
import { startPlayground, type Playground } from '../../src/demo/start-playground';
import type { GraphSimulator } from '../../src/sim/graph-simulator';
import { SEED } from '../../src/sim/seed-tenant';
import { freeLoopbackPort } from './free-port';
import {
  CHROMIUM_MISSING_NOTICE,
  CHROMIUM_PATH,
  isChromiumInstalled,
  launchChromium,
  type LocalBrowser,
} from './launch-chromium';
import {
  blurFocus,
  hideLogPanel,
  openTeamChannel,
  postContaining,
  postWithMention,
  waitUntilSteady,
} from './playground-page';

// README screenshots are refreshed only on request, so a test run leaves the tree clean.
const IMG_DIR =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(__dirname, '..', '..', 'docs', 'img')
    : join(__dirname, '..', '..', 'test-results', 'img');
const COMMAND = 'simulate remove Adele Vance from MFA Required';
const REPLY = 'Diego Siciliani removed Adele Vance from MFA Required. A case card follows';
const CARD_TITLE = 'GG-1 · Member removed from MFA Required';
const RESTORED = 'Restored by Alex Wilber at';
const TIER0_COMMAND = 'simulate remove Adele Vance from Tier 0 Admins';
const TIER0_CARD_TITLE = 'GG-2 · Member removed from Tier 0 Admins';
const REQUESTED = 'Restore requested by Alex Wilber — needs a second approver';
const CONFIRM =
  'simulate confirm-restore GG-2 as Megan Bowen: Adele is on call for the identity platform';
const CONFIRMED = /Restored by Megan Bowen at [^\n]* · requested by Alex Wilber/;
const SUITE = 'the demo in the Agents Playground, in headless Chromium';

if (!isChromiumInstalled()) {
  describe(SUITE, () => {
    // One visible test instead of a silent skip: CI must fail, a laptop must say what it missed.
    it(`requires headless Chromium at ${CHROMIUM_PATH} (notice only, outside CI)`, () => {
      if (process.env.CI === 'true') {
        throw new Error(
          `CI=true and ${CHROMIUM_PATH} is missing: the browser suite is required in CI (apt-get install -y chromium)`,
        );
      }
      const bar = '!'.repeat(CHROMIUM_MISSING_NOTICE.length);
      process.stderr.write(`\n${bar}\n${CHROMIUM_MISSING_NOTICE}\n${bar}\n\n`);
    });
  });
} else {
  describe(SUITE, () => {
    // Each resource is registered while it is still starting, so a beforeAll that times out
    // half-way still has everything it started stopped.
    const cleanups: Array<() => Promise<unknown>> = [];
    function track<T>(starting: Promise<T>, stop: (started: T) => Promise<unknown>): Promise<T> {
      cleanups.unshift(() => starting.then(stop, () => undefined));
      return starting;
    }

    let workDir = '';
    let app: App;
    let simulator: GraphSimulator;
    let playground: Playground;
    let local: LocalBrowser;
    let page: Page;

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), 'groupguard-browser-'));
      app = await track(
        createApp(
          loadConfig({
            PORT: '0',
            DATA_DIR: ':memory:',
            LOG_LEVEL: 'silent',
            PLAYGROUND: 'off',
            WORKER_POLL_INTERVAL_MS: '50',
          }),
          loadSecrets({}),
        ),
        (started) => started.stop(),
      );
      const { url } = await app.start();
      if (!app.simulator) throw new Error('demo mode runs without the Graph simulator');
      simulator = app.simulator;
      playground = await track(
        startPlayground({
          botUrl: url,
          port: await freeLoopbackPort(),
          logFile: join(workDir, 'playground.log'),
        }),
        (started) => started.stop(),
      );
      local = await track(launchChromium({ viewport: { width: 1280, height: 900 } }), (started) =>
        started.close(),
      );
      page = await local.context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(playground.url);
    }, 60_000);

    afterAll(async () => {
      const failures: unknown[] = [];
      for (const cleanup of cleanups) {
        const bounded = new Promise((_, reject) =>
          setTimeout(() => reject(new Error('cleanup took longer than 3 s')), 3_000).unref(),
        );
        await Promise.race([cleanup(), bounded]).catch((error: unknown) => failures.push(error));
      }
      if (workDir) rmSync(workDir, { recursive: true, force: true });
      if (failures.length > 0) throw failures[0];
    }, 10_000);

    let step = '';
    async function explainFailure(error: unknown): Promise<Error> {
      const shot = join(tmpdir(), `groupguard-browser-failure-${Date.now()}.png`);
      await page?.screenshot({ path: shot }).catch(() => undefined);
      let log = '';
      try {
        log = readFileSync(join(workDir, 'playground.log'), 'utf8').slice(-2_000);
      } catch {
        log = '(no Playground log)';
      }
      return new Error(
        `failed to ${step}: ${error instanceof Error ? error.message : String(error)}\n` +
          `screenshot: ${shot}\nPlayground log (tail):\n${log}`,
        { cause: error },
      );
    }

    it('posts a case card for a simulated removal and restores the member from it', async () => {
      step = 'open the SecOps Alerts channel';
      try {
        await openTeamChannel(page, 'SecOps', 'Alerts');
        // The log panel echoes every message text, which would double each text match.
        await hideLogPanel(page);

        step = 'post the @GroupGuard command';
        await postWithMention(page, 'GroupGuard', COMMAND);
        await postContaining(page, REPLY).waitFor();

        step = 'see the case card as a new channel post';
        const card = postContaining(page, CARD_TITLE);
        await card.waitFor({ timeout: 5_000 });
        expect(await postContaining(page, REPLY).filter({ hasText: CARD_TITLE }).count()).toBe(0);
        await expect(card.innerText()).resolves.toMatch(
          /Open: approve the removal or restore the member[\s\S]*Adele Vance[\s\S]*MFA Required[\s\S]*Removed by[\s\S]*Diego Siciliani/,
        );
        expect(await card.innerText()).not.toContain('{{');
        await card.getByRole('button', { name: 'Approve removal' }).waitFor();
        expect(simulator.directory.isMember(SEED.groups.mfaRequired, SEED.users.adele)).toBe(false);
        await card.scrollIntoViewIfNeeded();
        await blurFocus(page);
        mkdirSync(IMG_DIR, { recursive: true });
        await page.screenshot({ path: join(IMG_DIR, 'demo-case-card.png') });

        step = 'click Restore member';
        await card.getByRole('button', { name: 'Restore member' }).click();
        await card.getByText(RESTORED).waitFor();
        await waitUntilSteady(
          async () => {
            const text = await card.innerText();
            return text.includes(RESTORED) && !text.includes('Restoring…');
          },
          { steadyMs: 750, timeoutMs: 10_000 },
        );
        expect(await card.innerText()).not.toContain('{{');
        expect(await card.getByRole('button', { name: 'Restore member' }).count()).toBe(0);
        expect(simulator.directory.isMember(SEED.groups.mfaRequired, SEED.users.adele)).toBe(true);
        await expect(app.store.getCase(1)).resolves.toMatchObject({
          status: 'restored',
          decision: { verb: 'restore', by: { name: 'Alex Wilber' } },
        });
        await card.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(IMG_DIR, 'demo-restored.png') });
      } catch (error) {
        throw await explainFailure(error);
      }
    }, 25_000);

    it('needs a reason and a second approver to restore into Tier 0 Admins', async () => {
      step = 'post the Tier 0 removal';
      try {
        await postWithMention(page, 'GroupGuard', TIER0_COMMAND);
        const card = postContaining(page, TIER0_CARD_TITLE);
        await card.waitFor({ timeout: 5_000 });
        await expect(card.innerText()).resolves.toContain('Privileged (role-assignable group)');

        step = 'click Restore member without a reason';
        await card.getByRole('button', { name: 'Restore member' }).click();
        await card.getByText('type a reason, then click again').waitFor();
        expect(simulator.directory.isMember(SEED.groups.tier0, SEED.users.adele)).toBe(false);

        step = 'type a reason and click Restore member';
        await card
          .getByRole('textbox', { name: 'Reason (required)' })
          .fill('Adele is on call tonight');
        await card.getByRole('button', { name: 'Restore member' }).click();
        await card.getByText(REQUESTED).waitFor();
        expect(simulator.directory.isMember(SEED.groups.tier0, SEED.users.adele)).toBe(false);
        await card.scrollIntoViewIfNeeded();
        await blurFocus(page);
        await page.screenshot({ path: join(IMG_DIR, 'demo-four-eyes-requested.png') });

        step = 'confirm as the second approver, Megan Bowen';
        await postWithMention(page, 'GroupGuard', CONFIRM);
        await postContaining(page, 'Megan Bowen clicked confirm-restore on GG-2.').waitFor();
        await waitUntilSteady(async () => CONFIRMED.test(await card.innerText()), {
          steadyMs: 750,
          timeoutMs: 10_000,
        });
        expect(await card.innerText()).not.toContain('{{');
        expect(simulator.directory.isMember(SEED.groups.tier0, SEED.users.adele)).toBe(true);
        await expect(app.store.getCase(2)).resolves.toMatchObject({
          status: 'restored',
          restoreRequest: { by: { name: 'Alex Wilber' }, reason: 'Adele is on call tonight' },
          decision: { by: { name: 'Megan Bowen' } },
        });
      } catch (error) {
        throw await explainFailure(error);
      }
    }, 25_000);
  });
}
