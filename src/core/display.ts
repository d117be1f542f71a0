// Text from events, requests and file names made safe to print: one line, nothing a terminal would act on.

/**
 * Control characters (C0, DEL, C1), format characters (bidi embeddings, overrides and isolates, zero-width marks)
 * and the Unicode line and paragraph separators: a crafted label, path or URL must not move the cursor, reorder
 * what the user reads, or start a new line that looks like grith's own output.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu;

/** text with every run of unsafe characters replaced by `replacement`. */
export function clean(text: string, replacement = ' '): string {
  return text.replace(UNSAFE, replacement);
}

/** clean(text), cut to max characters (an ellipsis marks the cut). */
export function oneLine(text: string, max = 400): string {
  const s = clean(text);
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  // Never leave half of a surrogate pair at the cut.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + '…';
}
