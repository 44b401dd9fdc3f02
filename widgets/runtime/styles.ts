/**
 * Styles every widget shares: the theme's custom properties (with the defaults of
 * theme.ts), the host's font, visible focus, logical properties only (so RTL needs no
 * second stylesheet), and the loading / empty / error panels.
 */
import { css, unsafeCSS } from 'lit';
import { DEFAULT_THEME } from './theme.js';

// Built from the constant theme table (no data): `--_primary: var(--peyvand-primary, #1d4ed8);`
const themeVariables = unsafeCSS(Object.entries(DEFAULT_THEME).map(([name, value]) => `--_${name}: var(--peyvand-${name}, ${value});`).join('\n'));

/** Shared styles of every widget. */
export const baseStyles = css`
  :host {
    ${themeVariables}
    --_radius: var(--peyvand-radius, 8px);
    --_gap: var(--peyvand-gap, 12px);
    display: block;
    box-sizing: border-box;
    /* Widgets lay themselves out by their own width, not the viewport's: a card in a
       side column and the same card full width differ (container queries below and in
       each widget). */
    container: peyvand / inline-size;
    max-inline-size: 100%;
    color: var(--_text);
    font-size: var(--peyvand-font-size, 0.9375rem);
    line-height: 1.5;
  }
  :host([hidden]) { display: none; }
  *, *::before, *::after { box-sizing: inherit; }
  button, input, textarea, select { font: inherit; color: inherit; }
  .base {
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_gap);
  }
  h2, h3 { margin: 0 0 calc(var(--_gap) / 2); font-size: 1.0625em; line-height: 1.3; }
  :focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }
  button {
    cursor: pointer;
    border: 1px solid var(--_control-border);
    background: var(--_surface);
    border-radius: calc(var(--_radius) - 2px);
    padding-block: 0.3em;
    padding-inline: 0.8em;
  }
  button.primary { background: var(--_primary); border-color: var(--_primary); color: var(--_on-primary); }
  button:disabled { cursor: not-allowed; opacity: 0.65; }
  input, textarea, select {
    border: 1px solid var(--_control-border);
    border-radius: calc(var(--_radius) - 2px);
    background: var(--_surface);
    padding-block: 0.35em;
    padding-inline: 0.6em;
    inline-size: 100%;
  }
  [aria-invalid='true'] { border-color: var(--_danger); }
  .muted { color: var(--_text-muted); }
  .error-text { color: var(--_danger); }
  /* Left-to-right values (bidi.ts): one isolated box, wrapping inside itself. */
  .ltr { direction: ltr; unicode-bidi: isolate; display: inline-block; max-inline-size: 100%; overflow-wrap: anywhere; text-align: start; vertical-align: bottom; }
  .base { min-inline-size: 0; overflow-wrap: anywhere; }
  .icon { inline-size: 1.15em; block-size: 1.15em; flex: none; vertical-align: -0.2em; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
  .mirror:dir(rtl) { transform: scaleX(-1); }
  .visually-hidden {
    position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden;
    clip-path: inset(50%); white-space: nowrap;
  }
  .state { display: flex; gap: calc(var(--_gap) / 2); align-items: center; flex-wrap: wrap; padding: calc(var(--_gap) / 2); }
  .state.error { color: var(--_danger); background: var(--_danger-surface); border-radius: calc(var(--_radius) - 2px); }
  .state.notice { color: var(--_text-muted); }
  .spinner {
    inline-size: 1em; block-size: 1em; border-radius: 50%;
    border: 2px solid var(--_border); border-block-start-color: var(--_primary);
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin { to { transform: rotate(360deg); } }
  @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
  .chip {
    display: inline-block; padding-inline: 0.6em; border-radius: 999px;
    background: var(--_chip-surface); color: var(--_chip-text); font-size: 0.875em;
  }
`;
