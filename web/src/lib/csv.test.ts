import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv';

describe('csv', () => {
  it('quotes fields with commas, quotes, line breaks and edge spaces', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
  });

  it('writes null as empty, lists joined, numbers and booleans as text', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(['vip', 'newsletter'])).toBe('vip; newsletter');
    expect(csvField(42)).toBe('42');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(true)).toBe('true');
  });

  it('defuses spreadsheet formulas in text', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+49 151')).toBe("'+49 151");
    expect(csvField('@sum')).toBe("'@sum");
  });

  it('builds a document with a header row and CRLF line ends', () => {
    const rows = [
      { id: 1, name: 'Ana', tags: ['vip'] },
      { id: 2, name: '<img src=x onerror=alert(1)>', tags: [] },
    ];
    const text = toCsv(
      [
        { header: 'ID', value: (r: (typeof rows)[number]) => r.id },
        { header: 'Name', value: (r: (typeof rows)[number]) => r.name },
        { header: 'Tags', value: (r: (typeof rows)[number]) => r.tags },
      ],
      rows,
    );
    expect(text).toBe('ID,Name,Tags\r\n1,Ana,vip\r\n2,<img src=x onerror=alert(1)>,\r\n');
  });
});
