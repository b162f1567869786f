/**
 * Settings schemas as data (tensorflow/playground's state.ts idea): ONE table per kind of run gives every key its
 * type, default, range or choices, unit, help line and — where the paper states it — the paper's value. The same
 * table drives defaults, validation/coercion, the form, and URL state. Used by the toy (`TOY_SCHEMA`) and the
 * WideResNet run config (`WRN_SCHEMA`).
 */

/** Common fields of a schema entry. */
interface EntryBase {
  help: string;
  /** Unit shown next to the value ('pixel', 'network-input', 'view units', 'variance', 'images', …). */
  unit?: string;
  /** The paper's value as text, and where it comes from ("Sec. 5", "code config"), shown beside the control. */
  paper?: { value: string; source: string };
}
export type NumSpec = EntryBase & { type: 'int' | 'float'; default: number; min: number; max: number };
export type EnumSpec<T extends string> = EntryBase & { type: 'enum'; default: T; values: readonly T[] };
export type StrSpec = EntryBase & { type: 'string'; default: string };
export type BoolSpec = EntryBase & { type: 'bool'; default: boolean };
export type SchemaEntry = NumSpec | EnumSpec<string> | StrSpec | BoolSpec;
export type Schema = Readonly<Record<string, SchemaEntry>>;

/** Optional fields of an entry, as built by {@link unit} and {@link paper}. */
export type EntryExtra = Pick<EntryBase, 'unit' | 'paper'>;

/** `unit: u` of an entry (the unit shown next to the value). */
export const unit = (u: string): EntryExtra => ({ unit: u });
/** `paper: { value, source }` of an entry: the paper's value as text and where it is stated ("Sec. 5"). */
export const paper = (value: string, source: string): EntryExtra => ({ paper: { value, source } });

/** Builds a numeric entry of one type: (default, min, max, help, ...extras) → entry clamped to [min, max]. */
function numberEntry(type: NumSpec['type']) {
  return (def: number, min: number, max: number, help: string, ...extras: EntryExtra[]): NumSpec =>
    Object.assign({ type, default: def, min, max, help }, ...extras);
}
/** An integer entry (values rounded, clamped to [min, max]); `extras` ({@link unit}, {@link paper}) in order. */
export const intEntry = numberEntry('int');
/** A real-valued entry (clamped to [min, max]); `extras` ({@link unit}, {@link paper}) in order. */
export const floatEntry = numberEntry('float');
/** A choice among `values` (the first-class type of a value is their union). */
export function enumEntry<T extends string>(
  def: NoInfer<T>,
  values: readonly T[],
  help: string,
  ...extras: EntryExtra[]
): EnumSpec<T> {
  return Object.assign({ type: 'enum' as const, default: def, values, help }, ...extras);
}
/** An on/off entry. */
export function boolEntry(def: boolean, help: string, ...extras: EntryExtra[]): BoolSpec {
  return Object.assign({ type: 'bool' as const, default: def, help }, ...extras);
}

type ValueOf<S> =
  S extends EnumSpec<infer T> ? T : S extends StrSpec ? string : S extends BoolSpec ? boolean : number;
/** A full settings object of a schema (every key present). */
export type SchemaValues<S extends Schema> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** Defaults, from the schema. */
export function schemaDefaults<S extends Schema>(schema: S): SchemaValues<S> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(schema)) out[k] = spec.default;
  return out as SchemaValues<S>;
}

/** Validate one raw value (a string from a URL, or a typed value) against its entry; undefined if invalid. */
export function coerceValue(spec: SchemaEntry, raw: unknown): string | number | boolean | undefined {
  if (spec.type === 'string') return typeof raw === 'string' ? raw : undefined;
  if (spec.type === 'enum')
    return (spec.values as readonly unknown[]).includes(raw) ? (raw as string) : undefined;
  if (spec.type === 'bool') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return undefined;
  }
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) return undefined;
  return Math.min(spec.max, Math.max(spec.min, spec.type === 'int' ? Math.round(n) : n));
}

/** Merge a partial update into values, ignoring unknown keys and invalid values (named in `rejected`). */
export function mergeValues<S extends Schema>(
  schema: S,
  base: SchemaValues<S>,
  partial: Partial<Record<string, unknown>>,
): { values: SchemaValues<S>; rejected: string[] } {
  const values = { ...base } as Record<string, unknown>;
  const rejected: string[] = [];
  for (const [k, v] of Object.entries(partial)) {
    const spec = schema[k];
    const c = spec ? coerceValue(spec, v) : undefined;
    if (c === undefined) rejected.push(k);
    else values[k] = c;
  }
  return { values: values as SchemaValues<S>, rejected };
}

/** URL query entries: the version under `versionKey` and EVERY key (a link keeps its meaning), except empty strings. */
export function valuesToQuery<S extends Schema>(
  schema: S,
  values: SchemaValues<S>,
  versionKey: string,
  version: number,
): Record<string, string> {
  const out: Record<string, string> = { [versionKey]: String(version) };
  for (const k of Object.keys(schema)) {
    const v = (values as Record<string, unknown>)[k];
    if (v !== '') out[k] = String(v);
  }
  return out;
}

/** Values from query entries: missing or invalid keys take their defaults. */
export function valuesFromQuery<S extends Schema>(
  schema: S,
  q: Readonly<Record<string, string>>,
): SchemaValues<S> {
  const partial: Record<string, string> = {};
  for (const k of Object.keys(schema)) if (q[k] !== undefined) partial[k] = q[k];
  return mergeValues(schema, schemaDefaults(schema), partial).values;
}
