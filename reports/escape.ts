// Every user-supplied string (experiment name, description, settings, workload names, constant
// sources) reaches the HTML page through escapeHtml, and the Markdown through escapeMarkdown,
// which builds on it: a name like `<script>alert(1)</script>` shows as text, never as markup.

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside an element or a double- or single-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

/**
 * Text safe inside a Markdown table cell or paragraph: &, < and > HTML-escaped (GitHub renders
 * inline HTML, and no tag can open without "<"; quotes outside a tag are plain text, so they stay
 * readable in the file: "it's", not "it&#39;s"), the punctuation that makes emphasis, code, links and table cells backslash-escaped, a leading
 * character that would start a heading, list or quote escaped, and line breaks folded to spaces
 * so that a table row stays one row.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c])
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#+-])(?=\s|#|$)/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])(?=\s|$)/, '$1\\$2');
}

/** A string for a file name: letters, digits, dot, dash and underscore only. */
export function slug(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return cleaned === '' ? 'chart' : cleaned.slice(0, 80);
}
