import type { Config } from '../../config/config.js';
import type { CardAction } from '../card-actions/card-action.js';
import type { Person, Store } from '../../workflows/ports/index.js';
import type { DemoTenant } from '../../workflows/demo-tenant.js';

export interface CommandContext {
  from: Person;
  mode: Config['mode'];
  store: Store;
  demoTenant: DemoTenant | null;
  commands: readonly Command[];
  cardActions: ReadonlyMap<string, CardAction>;
}

/** One chat command; the table of these drives both dispatch and `help`. */
export interface Command {
  name: string;
  usage: string;
  description: string;
  /** Acts on the simulated tenant; refused outside demo. */
  demoOnly?: boolean;
  run(ctx: CommandContext, args: string): Promise<string>;
}
