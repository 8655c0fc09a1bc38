import pino, { type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'clientState',
  '*.clientState',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'client_secret',
  '*.client_secret',
  'password',
  '*.password',
  'MicrosoftAppPassword',
  '*.MicrosoftAppPassword',
];

/** Every logger comes from here, so redaction of secrets is never forgotten. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'groupguard',
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
