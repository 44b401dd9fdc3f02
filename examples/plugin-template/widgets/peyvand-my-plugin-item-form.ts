/**
 * `<peyvand-my-plugin-item-form>`: creates an item through `POST /api/v1/my-plugin/items`
 * with the host's token, in the page's language and direction. The API's field errors are
 * shown under the field, in the user's language; a tenant without the plugin, or a user
 * without `my-plugin.item.create`, sees the runtime's own panels.
 *
 * @fires peyvand-my-plugin-item-created - `{ item }` when the item was stored.
 * @fires peyvand-error - `{ widget, status, code, message }` when sending fails.
 * @csspart base - the widget's frame.
 * @csspart form - the form.
 * @csspart button - the submit button.
 */
import { css, define, html, PeyvandElement, state } from 'peyvand/widgets/runtime';
import type { MyPluginItemCreatedDetail } from './events.js';

export class PeyvandMyPluginItemForm extends PeyvandElement {
  static override styles = [PeyvandElement.styles, css`form { display: grid; gap: var(--_gap); } .error { color: var(--_danger); }`];

  /** A tenant without this plugin reads "my-plugin is not switched on". */
  protected override readonly plugin = 'my-plugin';

  @state() private accessor itemTitle = '';
  @state() private accessor error = '';
  @state() private accessor created = '';

  /** Nothing to load: the form is ready at once. */
  protected override reload(): void {
    this.status = 'ready';
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    this.error = '';
    try {
      const item = await this.api<MyPluginItemCreatedDetail['item']>('my-plugin/items', { method: 'POST', body: { title: this.itemTitle } });
      this.created = item.title;
      this.itemTitle = '';
      this.emit('peyvand-my-plugin-item-created', { item });
    } catch (err) {
      // The API's own message, already in the user's language (problem+json); also sent as `peyvand-error`.
      this.error = this.problemText(this.reportError(err));
    }
  }

  protected renderContent(): unknown {
    return html`<form part="form" @submit=${(e: Event) => void this.submit(e)}>
      <label for="title">${this.t('myPluginWidgets.title')}</label>
      <input id="title" .value=${this.itemTitle} @input=${(e: Event) => (this.itemTitle = (e.target as HTMLInputElement).value)} aria-invalid=${this.error ? 'true' : 'false'} aria-describedby="error" />
      <p id="error" class="error" role="alert">${this.error}</p>
      <button part="button" type="submit">${this.t('myPluginWidgets.create')}</button>
      ${this.created ? html`<p role="status">${this.t('myPluginWidgets.created', { title: this.created })}</p>` : ''}
    </form>`;
  }
}

define('peyvand-my-plugin-item-form', PeyvandMyPluginItemForm);
