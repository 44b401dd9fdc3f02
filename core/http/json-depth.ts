/** How deep a JSON body nests, checked before parsing: core's body parser and the signed inbound routes share it. */

/** Deepest JSON nesting a body may have: far beyond any schema, far below a stack overflow. */
export const MAX_JSON_DEPTH = 64;

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
