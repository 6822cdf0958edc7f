// htm bound to Preact's h: tagged templates build virtual DOM nodes. Every interpolated value is
// a child or an attribute value, never markup, so server strings are always rendered as text.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
