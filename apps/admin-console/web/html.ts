/// <reference lib="dom" />
import { h } from 'preact';
import htm from 'htm';

/** JSX-like templates without a compile step of their own: the workspace build stays plain SWC. */
export const html = htm.bind(h);
