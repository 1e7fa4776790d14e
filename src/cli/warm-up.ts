/**
 * What `meshrr rr` and `meshrr pod` do for the reflector core before the first session can
 * come up: install the huge-page advisor for the RIB's large arrays (memory-advice.ts;
 * MESHRR_HUGE_PAGES=0 leaves it out), then the JIT warm-up (src/reflect/warm-up.ts;
 * MESHRR_WARM_UP=0 skips it).
 */
import type { Logger } from 'pino';
import { warmUp } from '../reflect/warm-up.js';
import { installMemoryAdvice } from './memory-advice.js';

export async function warmUpUnlessDisabled(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const m = installMemoryAdvice(env);
  if (m.advised) log.debug({ thp: m.thp }, 'hugePages');
  else log.info({ thp: m.thp, reason: m.reason }, 'hugePagesOff');
  const v = env['MESHRR_WARM_UP'];
  if (v === '0' || v === 'false') return;
  const r = await warmUp();
  log.debug({ prefixes: r.prefixes, messages: r.messages, ms: Math.round(r.ms) }, 'warmUp');
}
