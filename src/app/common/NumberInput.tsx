import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

/** Props of a numeric `<input>`: every input attribute but `onChange`, which `onValue` replaces. */
export type NumberInputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'value' | 'onChange'> & {
  /** 'number' (a text field, the default) or 'range' (a slider). */
  type?: 'number' | 'range';
  value: number;
  /** Called with `Number(text)` on every change (an emptied field gives 0). */
  onValue: (value: number) => void;
  /** Call `onValue` only while the text is a number inside min/max/step (a field being typed stays quiet). */
  validOnly?: boolean;
};

/** A numeric `<input>` that hands its parsed value to `onValue`. */
export function NumberInput({ type = 'number', onValue, validOnly, ...input }: NumberInputProps) {
  return (
    <input
      type={type}
      {...input}
      onChange={(e) => {
        if (!validOnly || (e.target.value !== '' && e.target.validity.valid)) onValue(Number(e.target.value));
      }}
    />
  );
}

/**
 * A `<label>` that wraps its number field: `label`, the field, then `unit` (e.g. "fit on [2000] images").
 * Without `label`, give the field an `aria-label`.
 */
export function NumberLabel({
  label,
  unit,
  ...input
}: NumberInputProps & { label?: ReactNode; unit?: ReactNode }) {
  return (
    <label>
      {label !== undefined && <>{label} </>}
      <NumberInput {...input} />
      {unit !== undefined && <> {unit}</>}
    </label>
  );
}

/**
 * A `<label for>` followed by its number field, as siblings for the caller's layout (a flex row, a grid).
 * `id` names the field for the label (and for tests); without one a unique id is made.
 */
export function LabelledNumber({
  id,
  label,
  ...input
}: NumberInputProps & { id?: string; label: ReactNode }) {
  const ownId = useId();
  const fieldId = id ?? ownId;
  return (
    <>
      <label htmlFor={fieldId}>{label}</label>
      <NumberInput id={fieldId} {...input} />
    </>
  );
}
