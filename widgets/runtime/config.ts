/**
 * The host contract: `Peyvand.configure({ apiBase, getToken, locale })`, once per page.
 * The settings live on one global object, so a page that loads the bundle twice (the
 * short URL and the versioned one) still has one configuration.
 */

/** A locale the widgets speak. */
export type Locale = 'fa' | 'en';

/**
 * The host's callback returning a JWT it signed for the logged-in user (HS256 with the
 * tenant's embed secret, or its own key published as JWKS). Called when a widget first
 * needs a token and again whenever Peyvand answers 401 (expired, revoked).
 */
export type TokenProvider = () => Promise<string> | string;

/** What a host can configure. Every field is optional; elements can override them by attribute. */
export interface PeyvandConfig {
  /** Where Peyvand is served, e.g. `https://crm.example.com` or `https://erp.example.com/crm`; default: where the script came from. */
  apiBase?: string;
  /** The host's token callback. */
  getToken?: TokenProvider;
  /** The widgets' language; default: the host page's `lang`. */
  locale?: Locale;
}

interface SharedState {
  config: PeyvandConfig;
  listeners: Set<() => void>;
  tokenWaiters: Array<() => void>;
}

const KEY = Symbol.for('peyvand.widgets.config');
const shared: SharedState = ((globalThis as Record<symbol, unknown>)[KEY] as SharedState | undefined)
  ?? ((globalThis as Record<symbol, unknown>)[KEY] = { config: {}, listeners: new Set(), tokenWaiters: [] } as SharedState);

/** Sets (merges) the page-wide configuration; connected widgets follow at once. */
export function configure(options: PeyvandConfig): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('Peyvand.configure expects an object');
  const { apiBase, getToken, locale } = options;
  if (apiBase !== undefined && typeof apiBase !== 'string') throw new TypeError('apiBase must be a URL string');
  if (getToken !== undefined && typeof getToken !== 'function') throw new TypeError('getToken must be a function returning the host-signed token');
  if (locale !== undefined && locale !== 'fa' && locale !== 'en') throw new TypeError('locale must be "fa" or "en"');
  shared.config = { ...shared.config, ...(apiBase !== undefined && { apiBase }), ...(getToken && { getToken }), ...(locale && { locale }) };
  if (shared.config.getToken) for (const wake of shared.tokenWaiters.splice(0)) wake();
  for (const listener of shared.listeners) listener();
}

/** The page-wide configuration. */
export function pageConfig(): Readonly<PeyvandConfig> {
  return shared.config;
}

/** Calls `listener` after every {@link configure}; returns the unsubscribe function. */
export function onConfigure(listener: () => void): () => void {
  shared.listeners.add(listener);
  return () => shared.listeners.delete(listener);
}

/** The page's token callback, once the host has configured one. */
export function pageTokenProvider(): Promise<TokenProvider> {
  const ready = shared.config.getToken;
  if (ready) return Promise.resolve(ready);
  return new Promise((resolve) => shared.tokenWaiters.push(() => resolve(shared.config.getToken!)));
}

/** `https://crm.example.com/` for a script served at `https://crm.example.com/widgets/peyvand.js`. */
export function scriptApiBase(scriptUrl: string): string {
  return new URL('../', scriptUrl).href;
}

/** Resolves an `apiBase` (absolute, or relative to the page) to a URL ending in `/`. */
export function normalizeApiBase(apiBase: string): string {
  const url = new URL(apiBase, document.baseURI);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** `fa-IR` → `fa`; anything not Persian is English. */
export function localeOf(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  return tag.toLowerCase().split('-')[0] === 'fa' ? 'fa' : 'en';
}
