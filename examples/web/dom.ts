// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * The few DOM APIs the page script uses, typed locally. The repository's
 * `deno task check` type-checks every file as one program with Deno's own
 * libs; a `/// <reference lib="dom" />` in the page script would change the
 * types of every other file in that program (the DOM's and Deno's stream
 * types differ), so the page sees the browser's `document` through these
 * interfaces instead. Nothing here exists at run time beyond two lookups.
 *
 * @module
 */

/** An event handed to a listener. */
export interface DomEvent {
  /** Stops the browser's default action (a form's submit navigation). */
  preventDefault(): void;
}

/** An element, as far as the page uses one. */
export interface DomElement {
  /** The `class` attribute. */
  className: string;
  /** Text of the element and its descendants. */
  textContent: string | null;
  /** The `title` attribute (tooltip). */
  title: string;
  /** The `hidden` attribute. */
  hidden: boolean;
  /** The class list. */
  readonly classList: {
    add(...names: string[]): void;
    remove(...names: string[]): void;
    toggle(name: string, force?: boolean): boolean;
    contains(name: string): boolean;
  };
  /** The `data-*` attributes. */
  readonly dataset: Record<string, string | undefined>;
  /** Child elements. */
  readonly children: { readonly length: number };
  /** The last child element. */
  readonly lastElementChild: DomElement | null;
  /** Appends nodes (strings become text nodes). */
  append(...nodes: (DomElement | string)[]): void;
  /** Prepends nodes (strings become text nodes). */
  prepend(...nodes: (DomElement | string)[]): void;
  /** Replaces every child (strings become text nodes). */
  replaceChildren(...nodes: (DomElement | string)[]): void;
  /** Removes the element from the document. */
  remove(): void;
  /** Sets an attribute. */
  setAttribute(name: string, value: string): void;
  /** Adds an event listener. */
  addEventListener(type: string, listener: (ev: DomEvent) => void): void;
}

/** An input, select, textarea or button. */
export interface DomControl extends DomElement {
  /** The current value. */
  value: string;
  /** Whether the control is disabled. */
  disabled: boolean;
  /** The `type` attribute. */
  type: string;
}

/** A `<table>`. */
export interface DomTable extends DomElement {
  /** The `<tbody>` sections. */
  readonly tBodies: ArrayLike<DomElement>;
}

/** The document, as far as the page uses it. */
export interface DomDocument {
  /** The element with that id, or null. */
  getElementById(id: string): DomElement | null;
  /** A new element. */
  createElement(tag: string): DomElement;
  /** Every element matching a CSS selector. */
  querySelectorAll(selector: string): Iterable<DomElement>;
  /** The `<body>`. */
  readonly body: DomElement;
}

/** The page's document. */
export const document: DomDocument = (globalThis as unknown as { document: DomDocument })
  .document;

/** The page's location (for `?server=`). */
export const location: { readonly search: string } =
  (globalThis as unknown as { location: { search: string } }).location;
