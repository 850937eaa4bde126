/** Money and percentages as a reader expects them in explanations. */

/** `$4.00` for USD, `EUR 4.00` otherwise. */
export function money(amount: string, currency: string): string {
  return currency === 'USD' ? `$${amount}` : `${currency} ${amount}`;
}

/** `10%`. */
export function pct(p: string | number): string {
  return `${p}%`;
}
