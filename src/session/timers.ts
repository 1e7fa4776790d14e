/**
 * Pure timer arithmetic for the session FSM: jitter, hold/keepalive negotiation and the
 * IdleHoldTime back-off. Everything is in seconds; the random source is injected.
 *
 * Must not: read the clock or set timers (the driver runs startTimer/stopTimer actions).
 *
 * RFCs: 4271 §4.2 (Hold Time), §4.4 and §10 (KeepaliveTime, ConnectRetryTime, jitter),
 * §8.1.1 (DampPeerOscillations / IdleHoldTimer).
 */

/** A uniform random number in [0, 1), like Math.random (injected for tests). */
export type RandomSource = () => number;

/**
 * RFC 4271 §10: multiply the base value by a random factor uniformly distributed in
 * [0.75, 1.0], picked anew each time the timer is set. Applied to ConnectRetryTimer and
 * KeepaliveTimer (the two of the four jittered timers that live in the session layer).
 */
export function jitter(base: number, random: RandomSource): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return base * (0.75 + 0.25 * r);
}

/**
 * RFC 4271 §6.2: a non-zero Hold Time below 3 seconds is unacceptable. `minHoldTime` lets an
 * operator raise that floor (it is never below 3, see validatePeerConfig).
 */
export function isAcceptableHoldTime(holdTime: number, minHoldTime = 3): boolean {
  return holdTime === 0 || holdTime >= Math.max(3, minHoldTime);
}

/**
 * RFC 4271 §4.2: the negotiated Hold Time is the smaller of ours and the peer's; 0 when
 * either side proposes 0 (no KEEPALIVEs, no hold timer).
 */
export function negotiateHoldTime(ours: number, theirs: number): number {
  return Math.min(ours, theirs);
}

/**
 * RFC 4271 §4.4 / §10: KeepaliveTime is one third of the Hold Time, rounded down; 0 when the
 * Hold Time is 0 (no periodic KEEPALIVEs).
 */
export function keepaliveTime(holdTime: number): number {
  return Math.floor(holdTime / 3);
}

/** How IdleHoldTime grows and resets (RFC 4271 §8.1.1 DampPeerOscillations). */
export interface IdleHoldPolicy {
  /** Apply the back-off at all; without it IdleHoldTime stays at `initial`. */
  readonly damp: boolean;
  readonly initial: number;
  readonly max: number;
  /** Seconds in Established after which the back-off starts over. */
  readonly stablePeriod: number;
}

/**
 * The IdleHoldTime to use now that the session went down, and the value to keep for the
 * next time. The RFC leaves the damping method open (§8.1.1); we follow OpenBGPD and BIRD:
 * the wait doubles after each failure up to `max`, and a session that stayed Established for
 * `stablePeriod` seconds starts over at `initial`.
 *
 * @param current the IdleHoldTime kept from the previous failure
 * @param establishedFor seconds the session was Established before going down, or null if
 *   it never got there this time
 */
export function idleHoldBackoff(
  current: number,
  establishedFor: number | null,
  policy: IdleHoldPolicy,
): { readonly wait: number; readonly next: number } {
  if (!policy.damp) return { wait: policy.initial, next: policy.initial };
  const stable = establishedFor !== null && establishedFor >= policy.stablePeriod;
  const wait = stable ? policy.initial : Math.min(Math.max(current, policy.initial), policy.max);
  const doubled = wait === 0 ? 1 : wait * 2;
  return { wait, next: Math.min(doubled, policy.max) };
}
