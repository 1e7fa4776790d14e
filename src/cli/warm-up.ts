/**
 * The start-up JIT warm-up of the reflector core (src/reflect/warm-up.ts), run by `meshrr rr`
 * and `meshrr pod` before the first session can come up. MESHRR_WARM_UP=0 skips it.
 */
import type { Logger } from 'pino';
import { warmUp } from '../reflect/warm-up.js';

export async function warmUpUnlessDisabled(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const v = env['MESHRR_WARM_UP'];
  if (v === '0' || v === 'false') return;
  const r = await warmUp();
  log.debug({ prefixes: r.prefixes, messages: r.messages, ms: Math.round(r.ms) }, 'warmUp');
}
