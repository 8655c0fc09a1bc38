import { join } from 'node:path';
import { createApp } from './app.js';
import { ConfigError, DATA_DIR_FILES, DataDirError } from './config/config.js';
import { loadConfig, loadSecrets } from './config/load-config.js';
import { startPlayground, type Playground } from './demo/start-playground.js';

async function main(): Promise<void> {
  let config, secrets;
  try {
    config = loadConfig();
    secrets = loadSecrets();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  let app;
  try {
    app = await createApp(config, secrets);
  } catch (error) {
    if (error instanceof DataDirError) {
      process.stderr.write(`GroupGuard cannot start: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  let url: string;
  try {
    ({ url } = await app.start());
  } catch (error) {
    await app.stop().catch(() => undefined);
    throw error;
  }
  let playground: Playground | null = null;
  if (config.mode === 'demo') {
    app.log.warn(
      { url },
      'DEMO MODE: simulated Entra tenant, bot authentication OFF, bot on 127.0.0.1 only',
    );
    if (config.playgroundPort !== null) {
      try {
        playground = await startPlayground({
          botUrl: url,
          port: config.playgroundPort,
          logFile: join(
            config.dataDir === ':memory:' ? '.' : config.dataDir,
            DATA_DIR_FILES.playgroundLog,
          ),
        });
      } catch (error) {
        await app.stop();
        throw error;
      }
      process.stderr.write(
        [
          '',
          'GroupGuard demo is running. Open this URL in a browser:',
          '',
          `    ${playground.url}`,
          '',
          'Go to the SecOps team, start a new post, @mention GroupGuard and type:',
          '    simulate remove Adele Vance from MFA Required',
          'Note: the Agents Playground listens on all interfaces (it has no option to bind 127.0.0.1).',
          '',
        ].join('\n'),
      );
    }
  } else {
    app.log.info({ url, mode: config.mode }, 'groupguard listening');
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping');
    await playground?.stop();
    await app.stop();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `groupguard failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exitCode = 1;
});
