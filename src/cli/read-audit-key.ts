import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config.js';
import { assertEd25519 } from '../workflows/decision-log-anchor.js';

/** An Ed25519 PEM key from the file a setting names; a bad one is a settings error naming it. */
export function readAuditKey(
  file: string | null,
  setting: 'AUDIT_SIGNING_KEY_FILE' | 'AUDIT_VERIFY_KEY_FILE',
): KeyObject {
  if (!file) throw new ConfigError([`${setting}: required to use --anchor`]);
  try {
    const pem = readFileSync(file, 'utf8');
    const key = setting === 'AUDIT_SIGNING_KEY_FILE' ? createPrivateKey(pem) : createPublicKey(pem);
    assertEd25519(key, setting);
    return key;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ConfigError([
      why.startsWith(setting) ? why : `${setting}: not a readable PEM key (${file}): ${why}`,
    ]);
  }
}
