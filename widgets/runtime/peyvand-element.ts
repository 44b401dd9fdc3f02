/**
 * The base of every widget: where to call (`api-base` attribute, `Peyvand.configure`, or
 * where the script came from), as whom (the element's `getToken` property or the page's),
 * in which language and direction (the element's `lang`/`dir`, then the configured locale,
 * then the host page), the loading / error / "plugin not enabled" / "no permission"
 * panels, and typed events to the host.
 */
import { html, LitElement, nothing, type CSSResultGroup, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ApiError, apiCall, isAbort, type ApiCall } from './api-client.js';
import type { TimelineEntry } from './api-types.js';
import { localeOf, normalizeApiBase, onConfigure, pageConfig, pageTokenProvider, scriptApiBase, type Locale, type TokenProvider } from './config.js';
import type { PeyvandEventDetail, PeyvandEventName } from './events.js';
import { translate, type MessageParams } from './i18n.js';
import { watchRoot } from './lazy-widgets.js';
import { icon } from './icons.js';
import { baseStyles } from './styles.js';

/** Where Peyvand is when nobody says: the server this script was loaded from. */
const SCRIPT_API_BASE = scriptApiBase(import.meta.url);

/** What a widget is doing: nothing yet, loading, showing data, or showing a problem. */
export type LoadStatus = 'idle' | 'loading' | 'ready' | ApiError;

/** Registers a widget once (a page that loads the bundle twice keeps the first). */
export function define(tag: string, element: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, element);
}

/** The nearest `lang` above `node`, across shadow roots, up to the document. */
function inheritedLang(node: Node | null): string | undefined {
  for (let n = node; n; n = n instanceof ShadowRoot ? n.host : n.parentNode) {
    if (n instanceof Element && n.hasAttribute('lang')) return n.getAttribute('lang') ?? undefined;
  }
  return undefined;
}

/** Base class of the widgets. */
export abstract class PeyvandElement extends LitElement {
  static override styles: CSSResultGroup = baseStyles;

  /** Peyvand's URL for this element only (else `Peyvand.configure({ apiBase })`, else the script's server). */
  @property({ attribute: 'api-base' }) accessor apiBase = '';

  /** This element's own token callback; without it the page's (`Peyvand.configure({ getToken })`) is used. */
  declare getToken: TokenProvider | undefined;

  /** The language the widget speaks now. */
  @state() protected accessor locale: Locale = 'en';
  /** Set when the widget's language was chosen for it (not inherited), so its direction is too. */
  @state() private accessor ownDir: 'rtl' | 'ltr' | undefined;
  /** The widget's own width in CSS pixels (0 until measured): for drawings sized to it, like the forecast's chart. */
  @state() protected accessor inlineSize = 0;
  /** Loading state of the main content. */
  @state() protected accessor status: LoadStatus = 'idle';

  /**
   * Events from other widgets on the page after which this one reloads (its data changed
   * on the server): the forecast follows `peyvand-deal-moved` from a deal board. One
   * listener on `document` per element, removed when it leaves the page.
   */
  protected static readonly refreshOn: readonly PeyvandEventName[] = [];
  /** The plugin whose routes the widget calls, named in the "not enabled" message (`plugins.<name>` in its messages). */
  protected readonly plugin: string = 'core';
  private readonly cleanups: Array<() => void> = [];
  private loading: AbortController | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the page while loading: the load was cancelled on the way out, start it again.
    if (this.hasUpdated && this.status === 'loading') this.reload();
    this.followLocale();
    this.cleanups.push(onConfigure(() => this.followLocale()));
    const observer = new MutationObserver(() => this.followLocale());
    observer.observe(this, { attributes: true, attributeFilter: ['lang', 'dir'] });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang', 'dir'] });
    this.cleanups.push(() => observer.disconnect());
    const resize = new ResizeObserver(([entry]) => {
      const width = Math.round(entry?.contentBoxSize[0]?.inlineSize ?? 0);
      if (width !== this.inlineSize) this.inlineSize = width;
    });
    resize.observe(this);
    this.cleanups.push(() => resize.disconnect());
    const refresh = () => this.reload();
    for (const name of (this.constructor as typeof PeyvandElement).refreshOn) {
      document.addEventListener(name, refresh);
      this.cleanups.push(() => document.removeEventListener(name, refresh));
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.loading?.abort();
  }

  /** Element `lang` > configured locale > host page `lang` > English. */
  private followLocale(): void {
    const own = localeOf(this.getAttribute('lang'));
    const chosen = own ?? pageConfig().locale;
    this.locale = chosen ?? localeOf(inheritedLang(this.parentNode)) ?? 'en';
    // An inherited language keeps the page's direction; a chosen one brings its own,
    // unless the element says otherwise with `dir` (which applies to it natively).
    this.ownDir = chosen && !this.hasAttribute('dir') ? (chosen === 'fa' ? 'rtl' : 'ltr') : undefined;
  }

  /** (Re)loads whatever the widget shows; called on connect, locale change and "Try again". */
  protected abstract reload(): void;

  /** The widget's content inside its frame. */
  protected abstract renderContent(): unknown;

  /** Whether a change calls for {@link reload}: the language (the API localizes labels and messages) or the endpoint. */
  protected shouldReload(changed: PropertyValues): boolean {
    return changed.has('locale') || changed.has('apiBase');
  }

  protected override firstUpdated(changed: PropertyValues): void {
    super.firstUpdated(changed);
    // A plugin's element rendered inside this one loads its chunk like one in the page.
    if (this.renderRoot instanceof ShadowRoot) watchRoot(this.renderRoot);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (!this.hasUpdated || this.shouldReload(changed)) this.reload();
  }

  protected override render(): TemplateResult {
    return html`<div class="base" part="base" lang=${this.locale} dir=${this.ownDir ?? nothing} aria-busy=${this.status === 'loading' ? 'true' : 'false'}>${this.renderContent()}</div>`;
  }

  /** Whether the widget's text runs right to left (its own direction, or the page's). */
  protected isRtl(): boolean {
    return (this.ownDir ?? getComputedStyle(this).direction) === 'rtl';
  }

  /** A message in the widget's language. */
  protected t(key: string, params?: MessageParams): string {
    return translate(this.locale, key, params);
  }

  /** Calls the API (below `/api/v1/`) in the widget's language, with the host's token unless `auth` is false. */
  protected api<T>(path: string, call: ApiCall = {}, auth = true): Promise<T> {
    const apiBase = normalizeApiBase(this.apiBase || pageConfig().apiBase || SCRIPT_API_BASE);
    const getToken = this.getToken;
    return apiCall<T>({ apiBase, locale: this.locale, ...(auth && { tokenProvider: () => (getToken ? Promise.resolve(getToken) : pageTokenProvider()) }) }, path, call);
  }

  /** Saves a note on a customer's timeline and tells the page (the card and the timeline both write notes). */
  protected async postNote(customerId: string, summary: string): Promise<TimelineEntry> {
    const entry = await this.api<TimelineEntry>(`customers/${encodeURIComponent(customerId)}/timeline`, { method: 'POST', body: { channel: 'note', summary } });
    this.emit('peyvand-note-added', { customerId, entry });
    return entry;
  }

  /**
   * Runs the main load: the previous one is cancelled, `status` follows, and a failure
   * becomes the error panel (and a `peyvand-error` event). Resolves to undefined when it
   * failed or was replaced.
   */
  protected async track<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
    this.loading?.abort();
    const controller = (this.loading = new AbortController());
    this.status = 'loading';
    try {
      const result = await task(controller.signal);
      if (controller.signal.aborted) return undefined;
      this.status = 'ready';
      return result;
    } catch (err) {
      if (isAbort(err) || controller.signal.aborted) return undefined;
      this.status = this.reportError(err);
      return undefined;
    }
  }

  /** Turns anything thrown into an {@link ApiError} and tells the host. */
  protected reportError(err: unknown): ApiError {
    const error = err instanceof ApiError ? err : new ApiError(0, 'NETWORK', '');
    this.emit('peyvand-error', { widget: this.localName, status: error.status, code: error.code, message: this.problemText(error) });
    return error;
  }

  /** What to tell the user about a problem. */
  protected problemText(error: ApiError): string {
    if (error.code === 'PLUGIN_NOT_ENABLED') return this.t('states.pluginDisabled', { plugin: this.t(`plugins.${this.plugin}`) });
    if (error.status === 403) return this.t('states.forbidden');
    if (error.status === 401) return this.t('states.unauthenticated');
    if (error.status === 0) return this.t('states.offline');
    if (error.status === 429) return this.t('states.busy');
    return error.detail || this.t('states.failed');
  }

  /** The loading or problem panel for `status`, or nothing when there is data to show. */
  protected renderStatus(): TemplateResult | typeof nothing {
    const status = this.status;
    if (status === 'loading') {
      return html`<div class="state notice" part="state" role="status"><span class="spinner" aria-hidden="true"></span><span>${this.t('common.loading')}</span></div>`;
    }
    if (status instanceof ApiError) return this.renderProblem(status);
    return nothing;
  }

  /** A problem: "not enabled" and "no permission" are notices; the rest are errors with a retry. */
  protected renderProblem(error: ApiError): TemplateResult {
    const text = this.problemText(error);
    if (error.code === 'PLUGIN_NOT_ENABLED') return html`<div class="state notice" part="state" role="status">${icon('plug')}<span>${text}</span></div>`;
    if (error.status === 403) return html`<div class="state notice" part="state" role="status">${icon('lock')}<span>${text}</span></div>`;
    return html`<div class="state error" part="state error" role="alert">
      ${icon('alert')}<span>${text}</span>
      <button type="button" part="button" @click=${() => this.reload()}>${this.t('common.retry')}</button>
    </div>`;
  }

  /** Sends a typed event to the host; returns false when a cancelable one was cancelled. */
  protected emit<K extends PeyvandEventName>(type: K, detail: PeyvandEventDetail<K>, cancelable = false): boolean {
    return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
  }
}
