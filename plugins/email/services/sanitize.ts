/**
 * HTML bodies are sanitized on the server, before any widget shows them: no scripts, no
 * event handlers, no forms or frames, and remote images blocked (their `src` moved to
 * `data-blocked-src`, so a widget can offer to load them when the reader asks).
 */
import sanitizeHtml from 'sanitize-html';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'span', 'font', 'center'],
  allowedAttributes: {
    '*': ['dir', 'lang', 'style', 'align', 'title'],
    a: ['href', 'name', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height', 'data-blocked-src'],
    td: ['colspan', 'rowspan', 'width', 'valign'],
    th: ['colspan', 'rowspan', 'width', 'valign'],
    table: ['width', 'cellpadding', 'cellspacing', 'border'],
    font: ['color', 'face', 'size'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel', 'cid'],
  allowedSchemesByTag: { img: ['cid', 'data'] },
  allowedStyles: {
    '*': {
      color: [/^[#a-z0-9(),.\s%]+$/i],
      'background-color': [/^[#a-z0-9(),.\s%]+$/i],
      'text-align': [/^(left|right|center|justify|start|end)$/],
      'font-weight': [/^(bold|normal|\d{3})$/],
      'font-style': [/^(italic|normal)$/],
      direction: [/^(rtl|ltr)$/],
    },
  },
  transformTags: {
    img: (tagName, attribs) => {
      const src = attribs.src ?? '';
      if (/^(cid:|data:image\/)/i.test(src)) return { tagName, attribs };
      const { src: _blocked, ...rest } = attribs;
      return { tagName, attribs: { ...rest, 'data-blocked-src': src } };
    },
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer nofollow' } }),
  },
  // data-blocked-src must survive (it is set by the transform above), but only on img.
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
};

/** Sanitized HTML, remote images blocked. */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
