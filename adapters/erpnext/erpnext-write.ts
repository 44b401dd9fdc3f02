/**
 * Write-back of a customer to ERPNext, as ERPNext keeps it:
 *
 * - `customer_name`, `customer_type` and the mapped fields (`tax_id`, `customer_group`,
 *   `territory`, custom fields) are the Customer's own: `PUT /api/resource/Customer/<name>`.
 * - Email and mobile are not: the Customer's `email_id` and `mobile_no` are read-only copies
 *   (`fetch_from`) of its primary `Contact` (`customer_primary_contact`), whose child tables
 *   `email_ids` (`is_primary`) and `phone_nos` (`is_primary_mobile_no`) hold them and whose
 *   `links` (Dynamic Link) tie it to the Customer. So an email or mobile is written to that
 *   Contact (`PUT /api/resource/Contact/<name>` with the whole table, as Frappe replaces a
 *   child table it is sent); a Customer without one gets a new Contact linked to it and
 *   named its primary contact. The Customer is saved last, which refreshes its copies.
 * - A create is `POST /api/resource/Customer` with `email_id`/`mobile_no`: ERPNext's
 *   `Customer.on_update` makes the primary Contact from them itself. It carries the CRM's
 *   id in the key field (`customer_pos_id` by default: the field ERPNext's offline POS used
 *   for the same purpose) and is preceded by a lookup on it, so a create whose reply was
 *   lost is found and updated, never inserted twice.
 *
 * @module
 */
import { ErpRunError, type ErpCustomerWrite } from '../../core/plugin/index.js';
import type { ErpNextClient } from './erpnext-client.js';
import type { FrappeCustomer } from './erpnext-documents.js';

/** A row of a Contact's `email_ids` or `phone_nos`. */
type ContactRow = Record<string, unknown>;

/** A `Contact` with the tables the write touches. */
interface FrappeContact {
  name: string;
  email_ids?: ContactRow[];
  phone_nos?: ContactRow[];
}

/** The Customer's own fields of a write. */
function customerValues(fields: ErpCustomerWrite): Record<string, unknown> {
  const values: Record<string, unknown> = { ...fields.erpFields };
  if (fields.name !== undefined) values.customer_name = fields.name;
  // Company and Individual: the two types every ERPNext version has.
  if (fields.kind !== undefined) values.customer_type = fields.kind === 'organization' ? 'Company' : 'Individual';
  return values;
}

/**
 * The table with `value` as its primary row: an existing row holding it becomes the
 * primary, else the primary row takes the value (or a new primary row is added); an empty
 * value removes the primary row. Other rows are kept.
 */
function withPrimary(rows: readonly ContactRow[], field: string, flag: string, value: string | undefined): ContactRow[] {
  const primary = rows.find((r) => r[flag] === 1 || r[flag] === true);
  if (!value) return rows.filter((r) => r !== primary);
  const holder = rows.find((r) => r[field] === value);
  if (holder) return rows.map((r) => ({ ...r, [flag]: r === holder ? 1 : 0 }));
  if (primary) return rows.map((r) => (r === primary ? { ...r, [field]: value } : r));
  return [...rows.map((r) => ({ ...r, [flag]: 0 })), { [field]: value, [flag]: 1 }];
}

/** Writes email and mobile to the Customer's primary Contact; answers the Customer fields that link a new one. */
async function writeContact(client: ErpNextClient, customer: string, fields: ErpCustomerWrite): Promise<Record<string, unknown>> {
  if (fields.emails === undefined && fields.phones === undefined) return {};
  const email = fields.emails?.[0]?.value;
  const mobile = fields.phones?.[0]?.value;
  const current = await client.doc<FrappeCustomer>('Customer', customer);
  if (!current) throw new ErpRunError('ERP_RECORD_MISSING', `ERPNext has no Customer ${customer}`);
  const contactName = typeof current.customer_primary_contact === 'string' && current.customer_primary_contact ? current.customer_primary_contact : undefined;
  const contact = contactName ? await client.doc<FrappeContact>('Contact', contactName) : undefined;
  if (contact) {
    const tables: Record<string, unknown> = {};
    if (fields.emails !== undefined) tables.email_ids = withPrimary(contact.email_ids ?? [], 'email_id', 'is_primary', email);
    if (fields.phones !== undefined) tables.phone_nos = withPrimary(contact.phone_nos ?? [], 'phone', 'is_primary_mobile_no', mobile);
    await client.save('Contact', contact.name, tables);
    return {};
  }
  if (!email && !mobile) return {};
  const person = current.customer_type === 'Individual';
  const created = await client.save<FrappeContact>('Contact', null, {
    first_name: current.customer_name ?? customer,
    ...(!person && { company_name: current.customer_name ?? customer }),
    is_primary_contact: 1,
    links: [{ link_doctype: 'Customer', link_name: customer }],
    email_ids: email ? [{ email_id: email, is_primary: 1 }] : [],
    phone_nos: mobile ? [{ phone: mobile, is_primary_mobile_no: 1 }] : [],
  });
  return { customer_primary_contact: created.name };
}

/** The Customer carrying `key` in `keyField`, if any. */
async function findByKey(client: ErpNextClient, keyField: string, key: string): Promise<string | undefined> {
  const [row] = await client.list<{ name: string }>('Customer', { fields: ['name'], filters: [[keyField, '=', key]], orderBy: 'creation asc', limit: 1 });
  return row?.name;
}

/** Updates a Customer: its primary Contact first, then the Customer itself (which refreshes the copies). */
async function update(client: ErpNextClient, name: string, fields: ErpCustomerWrite): Promise<FrappeCustomer> {
  const link = await writeContact(client, name, fields);
  return client.save<FrappeCustomer>('Customer', name, { ...customerValues(fields), ...link });
}

/** Writes a customer (see the module comment); answers the saved Customer. */
export async function writeCustomer(client: ErpNextClient, externalId: string | null, fields: ErpCustomerWrite, key: string | undefined, keyField: string): Promise<FrappeCustomer> {
  if (externalId !== null) return update(client, externalId, fields);
  const existing = key === undefined ? undefined : await findByKey(client, keyField, key);
  if (existing) return update(client, existing, fields);
  const email = fields.emails?.[0]?.value;
  const mobile = fields.phones?.[0]?.value;
  const values = { ...customerValues(fields), ...(email && { email_id: email }), ...(mobile && { mobile_no: mobile }), ...(key !== undefined && { [keyField]: key }) };
  try {
    return await client.save<FrappeCustomer>('Customer', null, values);
  } catch (err) {
    // A lost reply or a 5xx may come after the insert committed: look before anyone inserts again.
    if (!(err instanceof ErpRunError) || !err.transient || key === undefined) throw err;
    const made = await findByKey(client, keyField, key);
    if (!made) throw err;
    return update(client, made, fields);
  }
}
