/**
 * Shared by the router-config tests: the table-driven error-case runner and a few constants.
 * A case is YAML lines plus the exact lines the ConfigError message must hold.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ConfigError, parseRouterConfig } from '../../src/config/router-config.js';

export interface Case {
  readonly name: string;
  readonly lines: readonly string[];
  readonly code?: 'MESHRR_CONFIG_PARSE' | 'MESHRR_CONFIG_INVALID';
  /** The message, one problem a line: `rr.yml:LINE PATH: WORDING`. */
  readonly expect: readonly string[];
}

/** Lines 1-5 of most cases: a valid config with one client group; cases append from line 6. */
export const HEAD: readonly string[] = ['routerId: 192.0.2.1', 'asn: 65000', 'groups:', '  - name: clients', '    role: client'];
export const AS_WHAT = 'is not an AS number (1 to 4294967295, or asdot like 65000.1)';

export function runCases(cases: readonly (readonly [string, readonly Case[]])[]): void {
  for (const [title, list] of cases) {
    describe(title, () => {
      for (const c of list) {
        it(c.name, () => {
          assert.throws(
            () => parseRouterConfig(c.lines.join('\n') + '\n', 'rr.yml'),
            (e: unknown) => {
              assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
              assert.equal(e.code, c.code ?? 'MESHRR_CONFIG_INVALID');
              assert.deepEqual(e.message.split('\n'), c.expect);
              // The same, field by field: the message is made from these.
              const fields = c.expect.map((line) => {
                const m = /^rr\.yml:(\d+)(?: (\S+))?: (.*)$/.exec(line);
                assert.ok(m !== null, `bad expectation ${line}`);
                return { file: 'rr.yml', path: m[2] ?? '', line: Number(m[1]), message: m[3] };
              });
              assert.deepEqual(e.problems, fields);
              return true;
            },
          );
        });
      }
    });
  }
}
