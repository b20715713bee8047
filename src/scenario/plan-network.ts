/**
 * The network part of the Plan's HTTP defaults: TLS material (files already read when the scenario
 * loaded), the forward proxy (from `http.proxy` or the environment, resolved when it loaded) and
 * host overrides. Plain data: it is structured-cloned to worker threads like the rest of the Plan.
 */

/** A TLS protocol version as Node.js names it. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** TLS settings of the connections to one origin. */
export interface TlsSettings {
  /** PEM text of each CA file; trusted besides Node.js's bundled CAs unless `caMode` is `replace`. */
  readonly ca?: readonly string[];
  readonly caMode: 'add' | 'replace';
  /** Client certificate chain and key, PEM text. */
  readonly cert?: string;
  readonly key?: string;
  /** PKCS#12 client certificate and key, base64 (a string survives every copy of the plan). */
  readonly pfx?: string;
  /** Of `pfx` or an encrypted `key`; also listed in the plan's secrets. */
  readonly passphrase?: string;
  readonly servername?: string;
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
}

/** `http.tls`: settings for every origin, and whole settings per origin (already merged over them). */
export interface TlsPlan {
  readonly base: TlsSettings;
  /** By origin (`https://host:port`, default port elided, lower-case host). */
  readonly origins: Readonly<Record<string, TlsSettings>>;
}

/** The forward proxy. */
export interface ProxyPlan {
  /** Proxy URL for `http://` origins (undefined: none). Credentials may be in it. */
  readonly http?: string;
  /** Proxy URL for `https://` origins. */
  readonly https?: string;
  /** NO_PROXY entries (lower-case): `*`, `host`, `.domain`, `host:port`; only with the environment. */
  readonly noProxy: readonly string[];
  /** Where it came from: `http.proxy`, or HTTP_PROXY / HTTPS_PROXY. */
  readonly source: 'scenario' | 'environment';
}

/** Where `http.hosts` sends a host name. */
export interface HostAddress {
  /** An IP address or a host name (IPv6 without brackets). */
  readonly address: string;
  /** Undefined: the URL's port. */
  readonly port?: number;
}

/** The network settings of {@link HttpDefaults}. */
export interface NetworkSettings {
  /** Absent: Node.js's defaults. */
  readonly tls?: TlsPlan;
  /** Absent: connections go straight to the target. */
  readonly proxy?: ProxyPlan;
  /** Lower-case host name → address; absent: none. */
  readonly hosts?: Readonly<Record<string, HostAddress>>;
}
