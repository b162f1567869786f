import { useEffect, useState } from 'react';
import type { SizeLimits } from '../../data/limits';
import { setSizeLimits } from './dataActions';

const GIB = 1024 ** 3;

/** A positive size field kept as text, so that a half-typed number is not rewritten while the user types. */
function LimitField(props: { label: string; value: string; onChange: (text: string) => void }) {
  return (
    <label>
      {props.label}{' '}
      <input
        type="number"
        min={0.01}
        step="any"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}

/**
 * The size limits loads run under (src/data/limits.ts): what one archive may inflate to and how many pixels one
 * image may declare. Files over them are refused with the limit named; raise them here for a genuine big file.
 */
export function SizeLimitsControl(props: { limits: SizeLimits | null }) {
  const { limits } = props;
  const [archive, setArchive] = useState('');
  const [pixels, setPixels] = useState('');
  useEffect(() => {
    if (!limits) return;
    setArchive(String(limits.maxArchiveBytes / GIB));
    setPixels(String(limits.maxImagePixels / 1e6));
  }, [limits]);
  if (!limits) return null;
  const apply = () => {
    const a = Number(archive);
    const p = Number(pixels);
    if (!(a > 0) || !(p > 0)) return;
    void setSizeLimits({ maxArchiveBytes: a * GIB, maxEntryBytes: a * GIB, maxImagePixels: p * 1e6 });
  };
  return (
    <details className="size-limits" data-testid="size-limits">
      <summary>Size limits</summary>
      <p className="muted small">
        Archives (tar.gz, zip, npz) are refused when they declare or inflate to more than this, and images
        when their header declares more pixels — before anything that big is allocated. CIFAR-10/100 need 0.2
        GiB.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <LimitField label="Archive / entry (GiB)" value={archive} onChange={setArchive} />{' '}
        <LimitField label="Image (megapixels)" value={pixels} onChange={setPixels} />{' '}
        <button type="submit">Apply</button>
      </form>
    </details>
  );
}
