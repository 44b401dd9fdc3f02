/**
 * Recognises machine mail: delivery status notifications (RFC 3464) and auto-replies
 * (RFC 3834 `Auto-Submitted`, `Precedence`, the common vendor headers). Neither opens a
 * conversation nor ever gets an automatic answer.
 */
import type { ParsedEmail } from './parse.js';

/** A failed-delivery report. */
export interface BounceReport {
  recipient: string;
  status: string;
  diagnostic: string;
  /** The Message-ID of the returned message, when the report includes it. */
  originalMessageId: string | null;
}

/**
 * The DSN's first failed recipient, or null when the mail is not a failure report.
 * mailparser folds the `message/delivery-status` part into the text, so the part is read
 * from the raw message by its boundary.
 */
export function bounceOf(mail: ParsedEmail, raw: Buffer): BounceReport | null {
  const type = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const boundary = type?.params?.boundary;
  if (type?.value !== 'multipart/report' || type.params?.['report-type']?.toLowerCase() !== 'delivery-status' || !boundary) return null;
  const parts = raw.toString('utf8').replace(/\r\n/g, '\n').split(`\n--${boundary}`);
  const part = parts.find((p) => /^content-type:\s*message\/(global-)?delivery-status/im.test(p.split('\n\n')[0] ?? p.slice(0, 500)));
  if (!part) return null;
  // Per-recipient fields follow a blank line after the per-message fields (RFC 3464 §2.1).
  const text = part.slice(part.indexOf('\n\n') + 2).replace(/\n[ \t]+/g, ' ');
  const blocks = text.split(/\n\s*\n/);
  for (const block of blocks) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(block)?.[1]?.trim() ?? '';
    if (!/^failed$/i.test(field('Action'))) continue;
    const recipient = (field('Final-Recipient') || field('Original-Recipient')).replace(/^[^;]*;\s*/, '').toLowerCase();
    const returned = mail.parsed.attachments.find((a) => a.contentType === 'message/rfc822' || a.contentType === 'text/rfc822-headers');
    const original = returned ? /^message-id:\s*<?([^>\s]+)>?/im.exec(returned.content.toString('utf8'))?.[1] ?? null : null;
    return { recipient, status: field('Status'), diagnostic: field('Diagnostic-Code').replace(/^[^;]*;\s*/, ''), originalMessageId: original };
  }
  return null;
}

/** Whether the mail was sent by a machine answering on someone's behalf. */
export function isAutoReply(mail: ParsedEmail): boolean {
  const header = (name: string) => {
    const v = mail.headers.get(name);
    return typeof v === 'string' ? v.toLowerCase().trim() : v === undefined ? '' : String((v as { value?: string }).value ?? v).toLowerCase();
  };
  const autoSubmitted = header('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return true;
  if (/^(bulk|junk|list|auto_reply)$/.test(header('precedence'))) return true;
  return Boolean(header('x-autoreply') || header('x-autorespond') || header('x-autoreply-from'));
}
