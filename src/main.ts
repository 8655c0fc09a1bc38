import { createApp } from './app.js';
import { ConfigError } from './config/config.js';
import { loadConfig } from './config/load-config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  const app = await createApp(config);
  const { url } = await app.start();
  if (config.mode === 'demo') {
    app.log.warn(
      { url },
      'DEMO MODE: simulated Entra tenant, bot authentication OFF, listening on 127.0.0.1 only',
    );
  } else {
    app.log.info({ url, mode: config.mode }, 'groupguard listening');
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping');
    await app.stop();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`groupguard failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
