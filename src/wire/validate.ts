/**
 * The semantic pass over a syntactically valid UPDATE (the split GoBGP makes with
 * validate.go): rules that need to know the session, or that judge values rather than
 * syntax. Kept apart from decoding so that tools (MRT dumps, captures) see every attribute
 * exactly as sent, while the session layer calls `classifyUpdate`, which runs both passes.
 *
 * Rules:
 * 1. AS 0 in AS_PATH: treat-as-withdraw (RFC 7607 §2 → RFC 7606). FRR and OpenBGPD do the
 *    same; BIRD and GoBGP accept it.
 * 2. AS 0 in AS4_PATH, AGGREGATOR or AS4_AGGREGATOR: attribute discard (RFC 7607 §2 with
 *    RFC 6793 §6 and RFC 7606 §7.7: these attributes are discarded when malformed).
 * 3. From an external peer, LOCAL_PREF is discarded (RFC 7606 §7.5) and an AS_PATH with
 *    confederation segments is treat-as-withdraw (RFC 7606 §7.2, RFC 5065 §5).
 * 4. AS4_PATH / AS4_AGGREGATOR on a session where both sides are 4-octet capable are
 *    discarded (RFC 6793 §3: they are only meaningful from a 2-octet speaker).
 */
import { UPDATE_SUB } from './iana.js';
import type { CodecCtx } from './context.js';
import { type ErrorAction, type WireError, strongerAction, updateError } from './errors.js';
import type { Aggregator, AsPath, PathAttribute, UpdateMessage } from './attribute-types.js';
import { hasAsZero, hasConfedSegments } from './attrs/as-path.js';
import { decodeUpdate, type UpdateDecodeResult } from './update.js';

export interface ValidateResult {
  readonly update: UpdateMessage;
  readonly action: ErrorAction | null;
  readonly errors: readonly WireError[];
}

/** Applies the semantic rules; discarded attributes are removed from the returned update. */
export function validateUpdate(u: UpdateMessage, ctx: CodecCtx): ValidateResult {
  let errors: WireError[] | null = null;
  let action: ErrorAction | null = null;
  let keep: PathAttribute[] | null = null;
  const list = u.attributes;
  for (let i = 0; i < list.length; i++) {
    const a = list[i] as PathAttribute;
    let e: WireError | null = null;
    switch (a.kind) {
      case 'asPath':
        if (hasAsZero(a.value as AsPath)) {
          e = updateError('asPathAsZero', 'treatAsWithdraw', UPDATE_SUB.MALFORMED_AS_PATH, 'AS 0 in AS_PATH (RFC 7607)', a.code);
        } else if (ctx.external && hasConfedSegments(a.value)) {
          e = updateError('asPathConfedInExternal', 'treatAsWithdraw', UPDATE_SUB.MALFORMED_AS_PATH, 'confederation segment from an external peer (RFC 5065 §5)', a.code);
        }
        break;
      case 'as4Path':
        if (ctx.as4) e = updateError('as4AttributeFromAs4Peer', 'attributeDiscard', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, 'AS4_PATH from a 4-octet AS speaker (RFC 6793 §3)', a.code);
        else if (hasAsZero(a.value)) e = updateError('asPathAsZero', 'attributeDiscard', UPDATE_SUB.MALFORMED_AS_PATH, 'AS 0 in AS4_PATH (RFC 7607)', a.code);
        break;
      case 'as4Aggregator':
        if (ctx.as4) e = updateError('as4AttributeFromAs4Peer', 'attributeDiscard', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, 'AS4_AGGREGATOR from a 4-octet AS speaker (RFC 6793 §3)', a.code);
        else if ((a.value as Aggregator).asn === 0) e = updateError('aggregatorAsZero', 'attributeDiscard', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, 'AS 0 in AS4_AGGREGATOR (RFC 7607)', a.code);
        break;
      case 'aggregator':
        if (a.value.asn === 0) e = updateError('aggregatorAsZero', 'attributeDiscard', UPDATE_SUB.OPTIONAL_ATTRIBUTE_ERROR, 'AS 0 in AGGREGATOR (RFC 7607)', a.code);
        break;
      case 'localPref':
        if (ctx.external) e = updateError('localPrefFromExternal', 'attributeDiscard', UPDATE_SUB.ATTRIBUTE_FLAGS_ERROR, 'LOCAL_PREF from an external peer (RFC 7606 §7.5)', a.code);
        break;
      default:
        break;
    }
    if (e === null) {
      if (keep !== null) keep.push(a);
      continue;
    }
    (errors ??= []).push(e);
    action = action === null ? e.action : strongerAction(action, e.action);
    if (e.action === 'attributeDiscard') keep ??= list.slice(0, i);
    else if (keep !== null) keep.push(a);
  }
  if (errors === null) return { update: u, action: null, errors: [] };
  return { update: keep === null ? u : { ...u, attributes: keep }, action, errors };
}

/**
 * What the session layer calls for every received UPDATE: syntax (decodeUpdate) then
 * semantics (validateUpdate), with the strongest action of both.
 */
export function classifyUpdate(body: Buffer, ctx: CodecCtx): UpdateDecodeResult {
  const d = decodeUpdate(body, ctx);
  if (!d.ok) return d;
  const v = validateUpdate(d.update, ctx);
  if (v.errors.length === 0) return d;
  let action = d.action;
  if (v.action !== null) action = action === null ? v.action : strongerAction(action, v.action);
  return { ok: true, update: v.update, action, errors: [...d.errors, ...v.errors] };
}
