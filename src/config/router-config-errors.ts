/**
 * Errors of the router-config loader (STYLE.md §6). A `ConfigError` carries every problem
 * found in one file, each with the file, the key path (`groups[2].listenRanges[0]`), the
 * 1-based line and what was expected, so an operator (or the pod rendering the file from its
 * template, issue 7) can fix them all in one go. Its message lists them one per line:
 *
 *     rr.yml:14 groups[2].listenRanges[0]: '10.0.0.0/33' is not an IPv4 or IPv6 prefix
 *
 * Owns: the problem shape, its one-line text, the error classes. Must not: parse anything.
 */
import { MeshrrError } from '../errors.js';

/** One thing wrong with a config file. */
export interface ConfigProblem {
  /** The file name as given to the parser. */
  readonly file: string;
  /** Key path from the document root, e.g. `groups[2].listenRanges[0]`; '' for the document. */
  readonly path: string;
  /** 1-based line where the offending key or value starts. */
  readonly line: number;
  /** What is wrong and what was expected. */
  readonly message: string;
}

/** `file:line path: message` (the path is left out for document-level problems). */
export function formatProblem(p: ConfigProblem): string {
  return p.path === '' ? `${p.file}:${p.line}: ${p.message}` : `${p.file}:${p.line} ${p.path}: ${p.message}`;
}

/** The file is not valid YAML (`MESHRR_CONFIG_PARSE`) or not a valid router config. */
export class ConfigError extends MeshrrError {
  override readonly name = 'ConfigError';
  declare readonly code: 'MESHRR_CONFIG_PARSE' | 'MESHRR_CONFIG_INVALID';
  /** Every problem, in document order for the schema checks, then the cross-checks. */
  readonly problems: readonly ConfigProblem[];

  constructor(code: 'MESHRR_CONFIG_PARSE' | 'MESHRR_CONFIG_INVALID', problems: readonly ConfigProblem[]) {
    super(code, problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

/** The file could not be read; the fs error is the `cause`. */
export class ConfigReadError extends MeshrrError {
  override readonly name = 'ConfigReadError';
  declare readonly code: 'MESHRR_CONFIG_READ';
  readonly path: string;

  constructor(path: string, reason: string, cause: unknown) {
    super('MESHRR_CONFIG_READ', `${path}: cannot read the router config: ${reason}`, { cause });
    this.path = path;
  }
}
