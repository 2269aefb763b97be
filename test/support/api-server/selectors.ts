import { LABEL_VALUE, QUALIFIED_NAME } from './names.ts';
import { badRequest } from './status.ts';

/**
 * Label and field selectors with the syntax of k8s.io/apimachinery's
 * `labels.Parse` and `fields.ParseSelector`. A parse problem is a 400, as on
 * the real server.
 */

export type LabelOperator = 'in' | 'notin' | 'exists' | '!exists' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  matches(labels: Readonly<Record<string, string>>): boolean;
}

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'op'; text: '=' | '==' | '!=' | '!' | '>' | '<' | '(' | ')' | ',' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input.charAt(i);
    if (/\s/.test(ch)) {
      i++;
    } else if (input.startsWith('==', i) || input.startsWith('!=', i)) {
      tokens.push({ kind: 'op', text: input.slice(i, i + 2) as '==' | '!=' });
      i += 2;
    } else if ('=!><(),'.includes(ch)) {
      tokens.push({ kind: 'op', text: ch as '=' | '!' | '>' | '<' | '(' | ')' | ',' });
      i++;
    } else {
      let j = i;
      while (j < input.length && !/[\s=!><(),]/.test(input.charAt(j))) j++;
      tokens.push({ kind: 'word', text: input.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

function selectorError(input: string, why: string): Error {
  return badRequest(`unable to parse requirement: ${why} (selector "${input}")`);
}

function checkKey(input: string, key: string): string {
  if (key.length > 317 || !QUALIFIED_NAME.test(key)) {
    throw selectorError(
      input,
      `invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
    );
  }
  return key;
}

function checkValue(input: string, value: string): string {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw selectorError(
      input,
      `invalid label value: "${value}": must be 63 characters or less and consist of alphanumerics, '-', '_' or '.'`,
    );
  }
  return value;
}

export function parseLabelSelector(input: string): LabelSelector {
  const tokens = tokenize(input);
  const requirements: LabelRequirement[] = [];
  let pos = 0;
  const next = (): Token | undefined => tokens[pos++];
  const peek = (): Token | undefined => tokens[pos];
  const word = (what: string): string => {
    const token = next();
    if (token?.kind !== 'word') throw selectorError(input, `expected ${what}`);
    return token.text;
  };

  while (pos < tokens.length) {
    const first = next();
    if (first === undefined) break;
    if (first.kind === 'op' && first.text === '!') {
      requirements.push({
        key: checkKey(input, word('a label key after "!"')),
        operator: '!exists',
        values: [],
      });
    } else if (first.kind === 'word') {
      const key = checkKey(input, first.text);
      const op = peek();
      if (op === undefined || (op.kind === 'op' && op.text === ',')) {
        requirements.push({ key, operator: 'exists', values: [] });
      } else if (op.kind === 'op' && (op.text === '=' || op.text === '==' || op.text === '!=')) {
        pos++;
        const valueToken = peek();
        // `key=` selects the empty value, as in the real parser.
        const value = valueToken?.kind === 'word' ? (pos++, valueToken.text) : '';
        requirements.push({
          key,
          operator: op.text === '!=' ? 'notin' : 'in',
          values: [checkValue(input, value)],
        });
      } else if (op.kind === 'op' && (op.text === '>' || op.text === '<')) {
        pos++;
        const value = word('an integer');
        if (!/^-?\d+$/.test(value))
          throw selectorError(input, `for 'gt', 'lt' operators, the value must be an integer`);
        requirements.push({ key, operator: op.text === '>' ? 'gt' : 'lt', values: [value] });
      } else if (op.kind === 'word' && (op.text === 'in' || op.text === 'notin')) {
        pos++;
        const open = next();
        if (open?.kind !== 'op' || open.text !== '(')
          throw selectorError(input, `found '${open?.text ?? ''}', expected: '('`);
        const values: string[] = [];
        for (;;) {
          const t = next();
          if (t === undefined) throw selectorError(input, `found '', expected: ')'`);
          if (t.kind === 'op' && t.text === ')') break;
          if (t.kind === 'op' && t.text === ',') continue;
          if (t.kind !== 'word')
            throw selectorError(input, `found '${t.text}', expected: ',', ')' or identifier`);
          values.push(checkValue(input, t.text));
        }
        if (values.length === 0)
          throw selectorError(input, `for 'in', 'notin' operators, values set can't be empty`);
        requirements.push({ key, operator: op.text, values });
      } else {
        throw selectorError(input, `found '${op.text}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    } else {
      throw selectorError(
        input,
        `found '${first.text}', expected: !, identifier, or 'end of string'`,
      );
    }
    const separator = next();
    if (separator !== undefined && !(separator.kind === 'op' && separator.text === ',')) {
      throw selectorError(input, `found '${separator.text}', expected: ',' or 'end of string'`);
    }
  }

  return {
    requirements,
    matches(labels) {
      return requirements.every((r) => requirementMatches(r, labels));
    },
  };
}

function requirementMatches(
  r: LabelRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'in':
      return has && value !== undefined && r.values.includes(value);
    case 'notin':
      return !has || value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || value === undefined || !/^-?\d+$/.test(value)) return false;
      const label = BigInt(value);
      const bound = BigInt(r.values[0] ?? '0');
      return r.operator === 'gt' ? label > bound : label < bound;
    }
  }
}

export interface FieldRequirement {
  readonly field: string;
  readonly value: string;
  readonly negated: boolean;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  matches(fields: Readonly<Record<string, string>>): boolean;
}

/** `a=b,c!=d` with `\,`, `\=` and `\\` escapes, as `fields.ParseSelector`. */
export function parseFieldSelector(input: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of splitUnescaped(input, ',')) {
    if (term.trim() === '') continue;
    const split = splitAtOperator(term);
    if (split === undefined) {
      throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
    }
    const { rawField, op, rawValue } = split;
    requirements.push({
      field: unescape(rawField.trim()),
      value: unescape(rawValue),
      negated: op === '!=',
    });
  }
  return {
    requirements,
    matches(fields) {
      return requirements.every((r) => ((fields[r.field] ?? '') === r.value) !== r.negated);
    },
  };
}

function splitUnescaped(input: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input.charAt(i);
    if (ch === '\\' && i + 1 < input.length) {
      current += ch + input.charAt(i + 1);
      i++;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** Finds the first unescaped `==`, `!=` or `=` of one term. */
function splitAtOperator(
  term: string,
): { rawField: string; op: string; rawValue: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    const ch = term.charAt(i);
    if (ch === '\\') {
      i++;
      continue;
    }
    for (const op of ['==', '!=', '=']) {
      if (term.startsWith(op, i)) {
        return { rawField: term.slice(0, i), op, rawValue: term.slice(i + op.length) };
      }
    }
  }
  return undefined;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}
