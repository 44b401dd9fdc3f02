/** Writing CSV: RFC 4180 quoting, CRLF line ends (what Excel expects). */

/** One CSV line of `cells`, quoted where needed, ending in CRLF. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function csvCell(value: string): string {
  // A leading = + - @ would run as a formula in a spreadsheet: prefixed with a quote (OWASP CSV injection).
  // Numbers and phone numbers (`+98 912…`, `-5`) are not formulas and stay as they are.
  const safe = /^[=+\-@\t\r]/.test(value) && !/^[+-]?[\d\s().-]+$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
