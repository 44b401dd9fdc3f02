/**
 * JSON request bodies as Peyvand reads them, shared by core's body parser and the signed
 * inbound routes: UTF-8 only (RFC 8259 §8.1), decoded strictly, and nested no deeper than
 * {@link MAX_JSON_DEPTH}. Node's default decoding turns bytes that are not UTF-8 into
 * U+FFFD, so a name would be stored silently altered; here the request is refused instead.
 */
import { coreError } from '../plugin/errors.js';

/** Deepest JSON nesting a body may have: far beyond any schema, far below a stack overflow. */
export const MAX_JSON_DEPTH = 64;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a JSON body: 415 when its media type names a charset other than UTF-8, 400
 * when its bytes are not UTF-8 or it nests deeper than {@link MAX_JSON_DEPTH} (JSON.parse
 * copes, but the recursive code after it — validation, JSON.stringify into a column —
 * overflows the stack).
 */
export function jsonBodyText(contentType: string | undefined, body: Buffer): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw coreError('UNSUPPORTED_MEDIA_TYPE');
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw coreError('VALIDATION_FAILED', {}, { errors: [{ path: '', message: 'the body is not valid UTF-8', key: 'core:validation.invalidUtf8' }] });
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw coreError('VALIDATION_FAILED', {}, { errors: [{ path: '', message: `nested deeper than ${MAX_JSON_DEPTH} levels`, key: 'core:validation.tooDeep', params: { limit: MAX_JSON_DEPTH } }] });
  }
  return text;
}

/** The deepest `[`/`{` nesting of a JSON text (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) max = Math.max(max, ++depth);
    else if (c === 93 || c === 125) depth--;
  }
  return max;
}
