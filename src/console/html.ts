/** HTML building for the console: every value goes through `esc`; markup is only ever made here and in pages.ts. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an element's content or a quoted attribute. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Markup made by this module's callers from escaped parts: kept apart from text by its type. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A template whose interpolations are escaped unless they are Html (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return esc(v);
}

/** A path with each segment percent-encoded. */
export function href(...segments: string[]): string {
  return `/console${segments.map((s) => `/${encodeURIComponent(s)}`).join('')}`;
}

export interface Chrome {
  title: string;
  /** Who is signed in, the region, the CSRF token for the sign-out form; absent on the sign-in page. */
  who?: { label: string; region: string; csrf: string; canSignOut: boolean };
  crumbs?: [string, string?][];
  scripts?: string[];
  styles?: string[];
}

export function page(chrome: Chrome, body: Html): string {
  const crumbs = chrome.crumbs?.length
    ? html`<nav aria-label="Breadcrumb" class="crumbs"><ol>${chrome.crumbs.map(([label, link], i) =>
        link && i < chrome.crumbs!.length - 1 ? html`<li><a href="${link}">${label}</a></li>` : html`<li aria-current="page">${label}</li>`)}</ol></nav>`
    : '';
  const who = chrome.who
    ? html`<div class="who"><span>${chrome.who.label} · ${chrome.who.region}</span>
        ${chrome.who.canSignOut ? html`<form method="post" action="/console/logout"><input type="hidden" name="csrf" value="${chrome.who.csrf}"><button type="submit" class="link">Sign out</button></form>` : ''}</div>`
    : '';
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${chrome.title} · kendrite console</title>
<link rel="stylesheet" href="/console/assets/console.css">${(chrome.styles ?? []).map((s) => html`<link rel="stylesheet" href="${s}">`)}
</head><body><a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="/console">kendrite</a>${who}</header>
${crumbs}<main id="main" tabindex="-1"><h1>${chrome.title}</h1>${body}</main>
${(chrome.scripts ?? []).map((s) => html`<script src="${s}" defer></script>`)}</body></html>`.text}`;
}
