import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface Playground {
  url: string;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

/**
 * Starts the Microsoft 365 Agents Playground as the demo's Teams client, with telemetry off and
 * the loopback guard preloaded: it has no option to bind 127.0.0.1 and phones home otherwise.
 */
export async function startPlayground(options: {
  botUrl: string;
  port: number;
  logFile: string;
}): Promise<Playground> {
  let cli: string;
  try {
    cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  } catch {
    throw new Error(
      'the Agents Playground is a dev dependency: run `npm ci` (not --omit=dev) for the demo',
    );
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cli,
      '-e',
      `${options.botUrl}/api/messages`,
      '-c',
      'msteams',
      '-p',
      String(options.port),
      '--disable-telemetry',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_OPTIONS: `--require ${join(ROOT, 'scripts', 'loopback-guard.cjs')}`,
        LOOPBACK_GUARD_QUIET: '1',
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
        TEAMSAPPTESTER_BROWSER: 'none',
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: join(ROOT, 'env', 'playground.yml'),
        M365_AGENTS_PLAYGROUND_LOGFILE: options.logFile,
        TEAMSAPPTESTER_LOGFILE: options.logFile,
      },
    },
  );
  const output: string[] = [];
  const started = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Agents Playground did not start: ${output.join('')}`)),
      15_000,
    );
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /Listening on (\d+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Agents Playground exited with ${code}: ${output.join('')}`));
    });
  });
  let port: number;
  try {
    port = await started;
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
