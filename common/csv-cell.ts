// One rule for every CSV the product writes (schedule exports, attendance reports): text a spreadsheet would
// run as a formula (leading = + - @, tab or CR, also their full-width forms, which Excel treats alike) is
// written as text by a leading apostrophe. Numbers stay numbers.

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** A cell value safe to open in a spreadsheet. */
export function csvCell<T>(value: T): T | string {
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}
