import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdown, slug } from '../../reports/escape.js';

describe('escapeHtml', () => {
  it('turns every markup character into an entity', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('leaves a script tag and an attribute break-out as inert text', () => {
    expect(escapeHtml('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    const attribute = escapeHtml('"><img src=x onerror=alert(1)>');
    expect(attribute).not.toMatch(/[<>"]/);
  });

  it('escapes an ampersand once, so an entity in the input shows as typed', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});

describe('escapeMarkdown', () => {
  it('keeps a table row one row: pipes escaped, line breaks folded', () => {
    expect(escapeMarkdown('a|b\nc')).toBe('a\\|b c');
  });

  it('escapes emphasis, code and link punctuation and HTML', () => {
    expect(escapeMarkdown('*x* _y_ `z` [l](u) <b>')).toBe('\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) &lt;b&gt;');
  });

  it('stops a leading character from starting a heading, list or ordered list', () => {
    expect(escapeMarkdown('# title')).toBe('\\# title');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('1. first')).toBe('1\\. first');
    expect(escapeMarkdown('a - b')).toBe('a - b');
    expect(escapeMarkdown('2.22 ms')).toBe('2.22 ms');
  });

  it('leaves quotes outside tags as they are written', () => {
    expect(escapeMarkdown(`the addon's "linear" mode`)).toBe(`the addon's "linear" mode`);
  });
});

describe('slug', () => {
  it('keeps file names to safe characters', () => {
    expect(slug('request_outcomes_total{outcome=ok}.rate')).toBe('request_outcomes_total-outcome-ok-.rate');
    expect(slug('../../etc/passwd')).toBe('..-..-etc-passwd');
    expect(slug('<>')).toBe('chart');
  });
});
