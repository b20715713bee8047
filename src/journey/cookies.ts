/**
 * The per-VU cookie jar (tough-cookie, in memory), seen by the HTTP client as a CookieHook so that
 * every hop of a redirect chain reads and feeds it.
 *
 * Decision (as k6, unlike Artillery): a `cookie` header written on one request is sent with that
 * request only — after the jar's cookies, replacing a jar cookie of the same name — and never
 * enters the jar. Only `set-cookie` responses fill the jar. The jar is emptied at the start of each
 * journey iteration, so every iteration starts as a new visitor.
 */
import { createRequire } from 'node:module';
import type { CookieJar } from 'tough-cookie';
import type { CookieHook } from '../http/types.js';

/** tough-cookie, loaded with the first cookie stored: a run that never gets one does not load it. */
let toughCookie: typeof import('tough-cookie') | undefined;
const cookieLib = (): typeof import('tough-cookie') => (toughCookie ??= createRequire(import.meta.url)('tough-cookie') as typeof import('tough-cookie'));

export class VuCookieJar implements CookieHook {
  /** Created on the first `set-cookie`: most VUs of an API test never hold a cookie. */
  private jar: CookieJar | undefined = undefined;
  /** Skips the jar lookup entirely while nothing was stored (the common API-test case). */
  private empty = true;

  cookieHeader(url: string): string | undefined {
    if (this.empty || this.jar === undefined) return undefined;
    const header = this.jar.getCookieStringSync(url);
    return header === '' ? undefined : header;
  }

  store(url: string, setCookie: string | readonly string[]): void {
    const list = typeof setCookie === 'string' ? [setCookie] : setCookie;
    const jar = (this.jar ??= new (cookieLib().CookieJar)(undefined, { looseMode: true }));
    for (const s of list) {
      if (jar.setCookieSync(s, url, { ignoreError: true }) !== undefined) this.empty = false;
    }
  }

  /** Forgets every cookie. */
  reset(): void {
    if (this.empty) return;
    this.jar = undefined;
    this.empty = true;
  }
}
