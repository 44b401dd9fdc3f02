// The ERP page's own code: what a vendor writes once to embed Peyvand.
import { configure } from '/widgets/peyvand.js';

// 1. A token for the logged-in user. The ERP's backend signs it (HS256 with the tenant's
//    embed secret); Peyvand calls this again whenever a token has expired.
async function getToken() {
  const response = await fetch('/examples/erp-host/token', { cache: 'no-store' });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  return (await response.json()).token;
}
configure({ getToken });

// 2. Widgets talk to the page through DOM events: a customer picked in the search is
//    shown by the card and the timeline.
const followers = () => document.querySelectorAll('[data-follows-search]');
document.addEventListener('peyvand-customer-selected', (event) => {
  for (const element of followers()) element.setAttribute('customer-id', event.detail.customer.id);
});
// A ticket opened in the list (that customer's tickets) is shown by the view beside it.
document.addEventListener('peyvand-ticket-selected', (event) => {
  document.querySelector('peyvand-ticket-view').setAttribute('ticket-id', event.detail.ticket.id);
});

// 3. A developer's view of the events, written as text nodes (data is never parsed as HTML).
const log = document.getElementById('event-log');
const describe = {
  'peyvand-customer-selected': (d) => d.customer.name,
  'peyvand-deal-moved': (d) => `${d.deal.title}: ${d.fromStageId.slice(-6)} → ${d.toStageId.slice(-6)}`,
  'peyvand-deal-move-failed': (d) => `${d.code}: ${d.message}`,
  'peyvand-deal-selected': (d) => d.deal.title,
  'peyvand-note-added': (d) => d.entry.summary,
  'peyvand-quick-action': (d) => `${d.action} ${d.value}`,
  'peyvand-lead-submitted': () => '✓',
  'peyvand-ticket-selected': (d) => `#${d.ticket.number} ${d.ticket.subject}`,
  'peyvand-ticket-updated': (d) => `#${d.ticket.number} ${d.change}`,
  'peyvand-reward-redeemed': (d) => `${d.rewardName}: ${d.code}`,
  'peyvand-error': (d) => `${d.widget} ${d.code}`,
};
for (const [type, text] of Object.entries(describe)) {
  document.addEventListener(type, (event) => {
    const item = document.createElement('li');
    const name = document.createElement('code');
    name.textContent = type;
    item.append(name, ` ${text(event.detail)}`);
    log.prepend(item);
    while (log.children.length > 8) log.lastElementChild.remove();
  });
}

// 4. What the ERP knows from its own records: the web form's key, and the customer on
//    screen when the page opens.
const lang = document.documentElement.lang;
fetch('/examples/erp-host/config.json').then((r) => r.json()).then(({ formKey }) => {
  if (formKey) document.querySelector('peyvand-lead-form').setAttribute('form-key', formKey);
});
const first = lang === 'fa' ? 'مریم احمدی' : 'Sara Johnson';
getToken()
  .then((token) => fetch(`/api/v1/customers?limit=1&q=${encodeURIComponent(first)}`, { headers: { authorization: `Bearer ${token}` } }))
  .then((r) => r.json())
  .then(({ items }) => {
    if (items?.[0]) for (const element of followers()) element.setAttribute('customer-id', items[0].id);
  });
