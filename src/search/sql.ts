/** A piece of SQL with `?` placeholders and its parameters, composed without string-pasting values. */
export interface Sql {
  text: string;
  params: unknown[];
}

export function sql(strings: TemplateStringsArray, ...values: (Sql | unknown)[]): Sql {
  let text = strings[0]!;
  const params: unknown[] = [];
  values.forEach((v, i) => {
    if (isSql(v)) {
      text += v.text;
      params.push(...v.params);
    } else {
      text += '?';
      params.push(v);
    }
    text += strings[i + 1]!;
  });
  return { text, params };
}

export const raw = (text: string): Sql => ({ text, params: [] });

export function join(parts: Sql[], separator: string): Sql {
  return { text: parts.map((p) => p.text).join(separator), params: parts.flatMap((p) => p.params) };
}

export const list = (values: unknown[]): Sql => ({ text: values.map(() => '?').join(', '), params: values });

function isSql(v: unknown): v is Sql {
  return typeof v === 'object' && v !== null && 'text' in v && 'params' in v && Array.isArray((v as Sql).params);
}

/** PostgreSQL numbers its placeholders. No `?` occurs in kendrite's SQL text other than placeholders. */
export function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}
