import { describe, expect, it } from 'vitest';

import { offsetOf } from './textPosition';

describe('offsetOf', () => {
  const text = 'tag "vip"\nand count(purchase) >= x';
  it('finds a line and column', () => {
    expect(text.slice(offsetOf(text, 2, 24))).toBe('x');
    expect(offsetOf(text, 1, 1)).toBe(0);
  });
  it('clamps past the end of a line or the text', () => {
    expect(offsetOf(text, 1, 99)).toBe(9);
    expect(offsetOf(text, 7, 1)).toBe(text.length);
  });
});
