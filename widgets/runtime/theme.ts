/**
 * The default theme: colours a host overrides with `--peyvand-*` custom properties. Every
 * text colour meets WCAG AA (4.5:1) on the surfaces it is used on, and focus rings,
 * control borders and chart bars meet 3:1 (test/widgets/bundle.test.ts computes the
 * ratios from these values).
 */

/** Default colours, by custom property name (without `--peyvand-`). */
export const DEFAULT_THEME = {
  primary: '#1d4ed8',
  'on-primary': '#ffffff',
  surface: '#ffffff',
  'surface-alt': '#f3f4f6',
  text: '#111827',
  'text-muted': '#4b5563',
  border: '#d1d5db',
  'control-border': '#6b7280',
  focus: '#1d4ed8',
  danger: '#b91c1c',
  'danger-surface': '#fef2f2',
  success: '#166534',
  'success-surface': '#f0fdf4',
  'chip-text': '#1e3a8a',
  'chip-surface': '#e0e7ff',
} as const;

/** A themable colour. */
export type ThemeColor = keyof typeof DEFAULT_THEME;

/**
 * Colour pairs that must stay readable: [foreground, background, minimum ratio]. Text
 * needs 4.5:1; focus rings, control borders and chart bars (WCAG 1.4.11) 3:1.
 */
export const CONTRAST_PAIRS: ReadonlyArray<readonly [ThemeColor, ThemeColor, number]> = [
  ['text', 'surface', 4.5],
  ['text', 'surface-alt', 4.5],
  ['text-muted', 'surface', 4.5],
  ['text-muted', 'surface-alt', 4.5],
  ['primary', 'surface', 4.5],
  ['primary', 'surface-alt', 4.5],
  ['on-primary', 'primary', 4.5],
  ['danger', 'surface', 4.5],
  ['danger', 'danger-surface', 4.5],
  ['success', 'surface', 4.5],
  ['success', 'success-surface', 4.5],
  ['chip-text', 'chip-surface', 4.5],
  ['focus', 'surface', 3],
  ['focus', 'surface-alt', 3],
  ['control-border', 'surface', 3],
];
