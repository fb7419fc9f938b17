import { describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from './money';

describe('formatMoney', () => {
  it('formats minor units with the currency’s digits', () => {
    expect(formatMoney(123456, 'EUR', 'en-US')).toBe('€1,234.56');
    expect(formatMoney(1999, 'USD', 'en-US')).toBe('$19.99');
    expect(formatMoney(5, 'EUR', 'en-US')).toBe('€0.05');
    expect(formatMoney(1500, 'JPY', 'en-US')).toBe('¥1,500');
    expect(formatMoney(1234, 'BHD', 'en-US')).toMatch(/1\.234/);
  });

  it('keeps the sign of refunds and zero', () => {
    expect(formatMoney(-2000, 'EUR', 'en-US')).toBe('-€20.00');
    expect(formatMoney(0, 'EUR', 'en-US')).toBe('€0.00');
  });

  it('is exact at the API’s limit of 10^15 minor units', () => {
    expect(formatMoney(1_000_000_000_000_000, 'EUR', 'en-US')).toBe('€10,000,000,000,000.00');
    expect(formatMoney(999_999_999_999_999, 'USD', 'en-US')).toBe('$9,999,999,999,999.99');
  });

  it('falls back for an unknown currency code', () => {
    expect(formatMoney(1050, 'XXQ', 'en-US')).toMatch(/10\.50/);
  });
});

describe('parseMoney', () => {
  it('reads typed amounts into minor units', () => {
    expect(parseMoney('19.99', 'EUR')).toBe(1999);
    expect(parseMoney('1,000', 'EUR')).toBe(100000);
    expect(parseMoney('5', 'EUR')).toBe(500);
    expect(parseMoney('0.5', 'EUR')).toBe(50);
    expect(parseMoney('-2.00', 'EUR')).toBe(-200);
    expect(parseMoney('1500', 'JPY')).toBe(1500);
  });

  it('rejects what is not an amount', () => {
    expect(parseMoney('abc', 'EUR')).toBeNull();
    expect(parseMoney('1.999', 'EUR')).toBeNull();
    expect(parseMoney('1.5', 'JPY')).toBeNull();
  });
});
