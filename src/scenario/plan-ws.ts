/**
 * The Plan of a `ws` step (WebSocket): part of the Step union of plan.ts, kept apart so the step
 * kinds beside HTTP each live in their own file. Plain data, like the rest of the Plan.
 */
import type { CapturePlan, Matcher, SourcePos, Template, TemplateValue } from './plan.js';

/** What a `ws` step sends: a JSON value (serialized) or text. */
export type WsSendPlan = { readonly kind: 'json'; readonly value: TemplateValue } | { readonly kind: 'text'; readonly template: Template };

/**
 * One WebSocket step. Its parts run in this order, each optional (at least one is set): connect
 * (closing the journey's open socket first), send, wait for a message matching `until` (captures
 * then read that message), close. The socket stays open across steps until a `close` or the end of
 * the iteration, which closes it regardless.
 */
export interface WsStep {
  readonly kind: 'ws';
  /** The `step` tag of ws.connect, ws.message and ws.errors. Default `ws <connect URL>`, or `ws <parts>`. */
  readonly name: string;
  /** Open a socket: URL (absolute ws/wss/http/https, or a path relative to the target) and headers (names lower-cased). */
  readonly connect?: { readonly url: Template; readonly headers: readonly (readonly [string, Template])[] };
  readonly send?: WsSendPlan;
  /** Wait for the first unread message for which every matcher holds (json over the parsed message, body over its text). */
  readonly until?: readonly Matcher[];
  /** Longest handshake, and longest wait for `until`, ms. */
  readonly timeoutMs: number;
  readonly captures: readonly CapturePlan[];
  readonly close: boolean;
  /** Extra metric tags. */
  readonly tags: Readonly<Record<string, string>>;
  readonly pos: SourcePos;
}
