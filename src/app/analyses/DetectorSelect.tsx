import { DETECTOR_KEYS, DETECTOR_TABLE, type DetectorKey } from '../../train/detectorEval';

/** "Detector [select]": one of the nine detectors, shown by its table label. */
export function DetectorSelect(props: { value: DetectorKey; onChange: (detector: DetectorKey) => void }) {
  return (
    <label>
      Detector{' '}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value as DetectorKey)}>
        {DETECTOR_KEYS.map((d) => (
          <option key={d} value={d}>
            {DETECTOR_TABLE[d].label}
          </option>
        ))}
      </select>
    </label>
  );
}
