/**
 * The world of the widget browser tests: a real Peyvand (with sales) listening on
 * 127.0.0.1, and a second server on another port playing the ERP — another origin, as in
 * production. The ERP serves pages that embed the widgets with one script tag from
 * Peyvand, and a `/token` endpoint that signs host tokens with the tenant's embed secret,
 * as an ERP backend does. Data is seeded through Peyvand's HTTP API.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import pino from 'pino';
import sales from '../../../plugins/sales/index.js';
import { buildWidgets } from '../../../scripts/build-widgets.js';
import type { WidgetManifest } from '../../../core/http/widget-assets.js';
import type { AnyPlugin } from '../../../core/plugin/index.js';
import { bootPeyvand, type TestPeyvand } from '../../helpers/peyvand.js';
import type { PeyvandOptions } from '../../../core/peyvand.js';

type Teardown = { teardown(fn: () => Promise<void> | void): void };

/** Host users a page can sign in as: their roles in Peyvand. `nobody` holds only `core.me.read`. */
export const USERS = {
  manager: { sub: 'erp-manager-1', roles: ['admin'] },
  agent: { sub: 'erp-agent-7', roles: ['agent'] },
  viewer: { sub: 'erp-viewer-3', roles: ['viewer'] },
  nobody: { sub: 'erp-nobody-9', roles: ['nobody'] },
} as const;
/** A host user. */
export type UserName = keyof typeof USERS;

/** A page of the ERP. */
export interface HostPage {
  /** The page language and direction (`<html lang dir>`). */
  lang?: 'fa' | 'en';
  dir?: 'rtl' | 'ltr';
  tenant?: string;
  user?: UserName;
  /** The first token the ERP hands out has already expired. */
  expireFirst?: boolean;
  /** Sign in a customer of the tenant instead of `user`: a portal token (`roles: ["customer"]`, `cust` = this). */
  customer?: string;
  /** The markup with the widgets. */
  body: string;
}

/** What the tests work with. */
export interface EmbedWorld {
  p: TestPeyvand;
  peyvandUrl: string;
  hostUrl: string;
  manifest: WidgetManifest;
  /** An admin API key per tenant slug. */
  keys: Record<string, string>;
  /** Every token the ERP signed, to prove none leaks. */
  issuedTokens: string[];
  /** Peyvand's log lines. */
  serverLog: string[];
  /** Registers a page and returns its URL. */
  page(page: HostPage): string;
  /** A call with the tenant's admin key that must answer `status`; the JSON body. */
  api<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, status?: number, tenant?: string): Promise<T>;
}

const secretOf = (slug: string) => `widget-test-embed-secret-${slug}-0123456789abcdef`;

/** What to install besides the defaults. */
export interface WorldOptions {
  /** The installed plugins (default: sales). */
  installed?: AnyPlugin[];
  /** The plugins tenant `acme` has on (default: sales). */
  acmePlugins?: string[];
  /** Options of installed plugins, by plugin name. */
  pluginOptions?: Record<string, Record<string, unknown>>;
  /** Any other Peyvand option (applied last). */
  peyvand?: Partial<PeyvandOptions>;
}

/**
 * Boots Peyvand (sales installed, or `installed`) with tenants `acme` (fa, sales on, or
 * `acmePlugins`) and the `extra` ones, and the ERP server.
 */
export async function bootEmbedWorld(t: Teardown, extra: Array<{ slug: string; locale: 'fa' | 'en'; plugins: string[] }> = [], options: WorldOptions = {}): Promise<EmbedWorld> {
  const manifest = await buildWidgets();
  const serverLog: string[] = [];
  const sink = new Writable({ write(chunk, _encoding, done) { serverLog.push(String(chunk)); done(); } });
  const p = await bootPeyvand(t, { plugins: options.installed ?? [sales], ...(options.pluginOptions && { pluginOptions: options.pluginOptions }), logger: pino({ level: 'debug' }, sink), ...options.peyvand });
  const peyvandUrl = await p.peyvand.listen({ port: 0, host: '127.0.0.1' });

  const issuedTokens: string[] = [];
  const pages = new Map<string, HostPage>();
  const host = http.createServer((request, response) => void serveHost(request, response, { peyvandUrl, pages, issuedTokens }).catch((err: unknown) => {
    response.writeHead(500).end(String(err));
  }));
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => host.close(() => resolve())));
  const hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;

  const keys: Record<string, string> = {};
  for (const tenant of [{ slug: 'acme', locale: 'fa' as const, plugins: options.acmePlugins ?? ['sales'] }, ...extra]) {
    const created = await p.tenant(tenant.slug, { locale: tenant.locale, plugins: tenant.plugins });
    keys[tenant.slug] = await created.key('admin');
    const embed = await p.admin({ method: 'PUT', url: `/api/v1/admin/tenants/${tenant.slug}/embed`, payload: { hs256Secret: secretOf(tenant.slug), algorithms: ['HS256'], allowedOrigins: [hostUrl] } });
    if (embed.statusCode !== 204) throw new Error(embed.body);
    const role = await p.call(keys[tenant.slug], { method: 'PUT', url: '/api/v1/roles/nobody', payload: { permissions: ['core.me.read'] } });
    if (role.statusCode !== 200) throw new Error(role.body);
  }

  let pageCount = 0;
  return {
    p,
    peyvandUrl,
    hostUrl,
    manifest,
    keys,
    issuedTokens,
    serverLog,
    page(page) {
      const id = `p${++pageCount}`;
      pages.set(id, page);
      return `${hostUrl}/page/${id}`;
    },
    async api(method, url, payload, status, tenant = 'acme') {
      const res = await p.call(keys[tenant], { method, url, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
      const expected = status ?? (method === 'POST' ? 201 : 200);
      if (res.statusCode !== expected) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return (res.body ? res.json() : undefined) as never;
    },
  };
}

async function serveHost(request: http.IncomingMessage, response: http.ServerResponse, ctx: { peyvandUrl: string; pages: Map<string, HostPage>; issuedTokens: string[] }): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://host');
  if (url.pathname === '/host.js') {
    response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(hostScript(ctx.peyvandUrl));
    return;
  }
  if (url.pathname === '/token') {
    const tenant = url.searchParams.get('tenant') ?? 'acme';
    const user = USERS[(url.searchParams.get('user') ?? 'manager') as UserName] ?? USERS.manager;
    const expired = url.searchParams.get('expired') === '1';
    const cust = url.searchParams.get('cust');
    const now = Math.floor(Date.now() / 1000);
    // Expired well beyond Peyvand's 30 s clock tolerance.
    const token = await new SignJWT(cust ? { tid: tenant, roles: ['customer'], cust } : { tid: tenant, roles: [...user.roles] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(cust ? `erp-customer-${cust}` : user.sub)
      .setAudience('peyvand')
      .setExpirationTime(expired ? now - 300 : now + 600)
      .sign(new TextEncoder().encode(secretOf(tenant)));
    ctx.issuedTokens.push(token);
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ token }));
    return;
  }
  const page = url.pathname.startsWith('/page/') ? ctx.pages.get(url.pathname.slice('/page/'.length)) : undefined;
  if (!page) {
    response.writeHead(404).end();
    return;
  }
  const lang = page.lang ?? 'fa';
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(`<!doctype html>
<html lang="${lang}" dir="${page.dir ?? (lang === 'fa' ? 'rtl' : 'ltr')}" data-tenant="${page.tenant ?? 'acme'}" data-user="${page.user ?? 'manager'}" data-expire-first="${page.expireFirst ? 'true' : 'false'}" data-customer="${page.customer ?? ''}">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>ERP</title>
<style>body { font-family: "DejaVu Sans", sans-serif; margin: 16px; } body > * { margin-block-end: 12px; }</style>
<script type="module" src="${ctx.peyvandUrl}/widgets/peyvand.js"></script>
<script type="module" src="/host.js"></script></head>
<body>${page.body}</body></html>`);
}

/** The ERP's script: the token callback (counting its calls), and a record of the widgets' events. */
function hostScript(peyvandUrl: string): string {
  return `import { configure } from '${peyvandUrl}/widgets/peyvand.js';
const root = document.documentElement;
window.tokenCalls = 0;
window.widgetEvents = [];
configure({
  async getToken() {
    const call = ++window.tokenCalls;
    const expired = root.dataset.expireFirst === 'true' && call === 1;
    const response = await fetch('/token?tenant=' + root.dataset.tenant + '&user=' + root.dataset.user + (expired ? '&expired=1' : '') + (root.dataset.customer ? '&cust=' + encodeURIComponent(root.dataset.customer) : ''));
    return (await response.json()).token;
  },
});
for (const type of ['peyvand-customer-selected', 'peyvand-deal-moved', 'peyvand-deal-move-failed', 'peyvand-deal-selected', 'peyvand-note-added', 'peyvand-quick-action', 'peyvand-lead-submitted', 'peyvand-ticket-selected', 'peyvand-ticket-created', 'peyvand-ticket-updated', 'peyvand-email-sent', 'peyvand-reward-redeemed', 'peyvand-error']) {
  document.addEventListener(type, (event) => window.widgetEvents.push({ type, detail: JSON.parse(JSON.stringify(event.detail)) }));
}
/** Everything rendered, shadow roots included, as markup: for "no token in the DOM". */
window.renderedMarkup = () => {
  const parts = [document.documentElement.outerHTML];
  const walk = (root) => {
    for (const element of root.querySelectorAll('*')) {
      if (element.shadowRoot) {
        parts.push(element.shadowRoot.innerHTML);
        walk(element.shadowRoot);
      }
    }
  };
  walk(document);
  return parts.join('\\n');
};
window.hostReady = true;
`;
}
