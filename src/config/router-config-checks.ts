/**
 * Checks across the groups of one router config: unique group names, each neighbour address
 * in one place only, and listen ranges that do not overlap between groups. An incoming
 * connection must map to exactly one group; an explicit neighbour inside another group's
 * listen range is fine (the explicit neighbour wins, as in FRR), so it is not checked here.
 *
 * Owns: problems that involve two groups. Must not: re-check single values.
 */
import type { Ctx } from './router-config-fields.js';
import type { ParsedGroup } from './router-config-group.js';
import { addressText, prefixText, prefixesOverlap } from './router-config-ip.js';

export function crossCheck(ctx: Ctx, groups: readonly ParsedGroup[]): void {
  checkNames(ctx, groups);
  checkNeighbors(ctx, groups);
  checkListenRanges(ctx, groups);
}

function checkNames(ctx: Ctx, groups: readonly ParsedGroup[]): void {
  const first = new Map<string, string>();
  for (const g of groups) {
    if (g.name === undefined) continue;
    const prev = first.get(g.name.value);
    if (prev !== undefined) ctx.report(g.name.path, g.name.line, `group name '${g.name.value}' is already used at ${prev}`);
    else first.set(g.name.value, g.name.path);
  }
}

/** A neighbour address belongs to one group: the listener matches connections by address. */
function checkNeighbors(ctx: Ctx, groups: readonly ParsedGroup[]): void {
  const first = new Map<string, string>();
  for (const g of groups) {
    for (const nb of g.neighbors) {
      const key = addressText(nb.value);
      const prev = first.get(key);
      if (prev !== undefined) ctx.report(nb.path, nb.line, `neighbour ${key} is already configured at ${prev}`);
      else first.set(key, nb.path);
    }
  }
}

/**
 * Listen ranges of two groups must not overlap, or a connection from the shared part would
 * have two groups (issue 7 builds each subtractive group's allow list from its own ranges).
 * Overlap inside one group is harmless and allowed.
 */
function checkListenRanges(ctx: Ctx, groups: readonly ParsedGroup[]): void {
  groups.forEach((g, gi) => {
    for (const r of g.listenRanges) {
      for (let hi = 0; hi < gi; hi++) {
        const other = groups[hi] as ParsedGroup;
        const hit = other.listenRanges.find((o) => prefixesOverlap(o.value, r.value));
        if (hit === undefined) continue;
        const owner = other.name === undefined ? '' : ` of group '${other.name.value}'`;
        ctx.report(r.path, r.line, `${prefixText(r.value)} overlaps ${prefixText(hit.value)}${owner} (${hit.path}); listen ranges of different groups must not overlap`);
        break;
      }
    }
  });
}
