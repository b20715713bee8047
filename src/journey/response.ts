/**
 * A response as matchers and captures read it: the body decoded and JSON parsed at most once, and
 * only when something asks.
 */
import type { HttpResult } from '../http/types.js';
import { parseHtml, type HtmlDocument } from './html.js';

const NOT_PARSED = Symbol('not parsed');

export class ResponseView {
  private textCache: string | undefined = undefined;
  private jsonCache: unknown = NOT_PARSED;
  private htmlCache: HtmlDocument | undefined = undefined;

  /**
   * `failure`: the exchange's failure class before expectations (transport, or a status the step
   * does not accept); `attempt`: which attempt this is; `scheduledUs`: http.latency_scheduled of
   * this response, or -1; `recorded`: its metrics are already taken (a retry cut short). The step
   * records the response once it has judged it.
   */
  constructor(
    readonly result: HttpResult,
    readonly failure: string | undefined = undefined,
    readonly attempt = 1,
    readonly scheduledUs = -1,
    readonly recorded = false,
  ) {}

  get status(): number {
    return this.result.status;
  }

  /** A Kafka message's key (undefined for HTTP responses). */
  get key(): string | undefined {
    return undefined;
  }

  /** A header value (name lower-case); repeated headers joined with `, `. */
  header(name: string): string | undefined {
    const v = this.result.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  text(): string {
    if (this.textCache === undefined) this.textCache = this.result.body.toString('utf8');
    return this.textCache;
  }

  /** The parsed JSON body, or undefined when the body is not JSON. */
  json(): unknown {
    if (this.jsonCache === NOT_PARSED) {
      try {
        this.jsonCache = JSON.parse(this.text()) as unknown;
      } catch {
        this.jsonCache = undefined;
      }
    }
    return this.jsonCache;
  }

  /** The body as an HTML document (loadHtml() must have completed). */
  html(): HtmlDocument {
    if (this.htmlCache === undefined) this.htmlCache = parseHtml(this.text());
    return this.htmlCache;
  }

  /** Total latency, ms. */
  get latencyMs(): number {
    return this.result.timings.totalUs / 1000;
  }
}
