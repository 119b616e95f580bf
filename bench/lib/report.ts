import type { Table, Target } from './scenario.js';

/** A table as aligned text: text columns left-aligned, numeric ones right-aligned. */
export function renderTable(t: Table): string {
  const cells = t.rows.map((r) => r.map(String));
  const widths = t.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = t.columns.map((_, i) => t.rows.length > 0 && t.rows.every((r) => typeof r[i] === 'number' || /^[-\d.,]+( %|x)?$|^-$/.test(String(r[i]))));
  const line = (r: string[]) => r.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [t.title, line(t.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  for (const n of t.notes ?? []) out.push(`  ${n}`);
  return out.join('\n');
}

export function renderTarget(scenario: string, t: Target): string {
  return `${t.pass ? 'PASS' : 'FAIL'}  ${scenario}: ${t.name} — ${t.detail}`;
}
