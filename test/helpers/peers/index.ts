/**
 * The real-daemon test harness in one import: one namespace per daemon module (`bird.start`,
 * `frr.start`, `gobgp.start`, `openbgpd.start`, `exabgp.start`), the lab fixture that tears
 * everything down, the shared option/result types and the version probe.
 */
export * as bird from './bird.js';
export * as exabgp from './exabgp.js';
export * as frr from './frr.js';
export * as gobgp from './gobgp.js';
export * as openbgpd from './openbgpd.js';
export type { Lab } from './lab.js';
export { createLab, withLab } from './lab.js';
export type * from './types.js';
export type { DaemonVersion } from './versions.js';
export { formatVersions, missingPrerequisites, versions } from './versions.js';
