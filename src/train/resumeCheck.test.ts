import { describe, expect, it } from 'vitest';
import { tinyData } from '../../tests/train/fixtures';
import { DEFAULT_CONFIG } from './config';
import { fingerprintData, pixelChecksum, resumeProblems } from './resumeCheck';

const cfg = { ...DEFAULT_CONFIG, method: 'OE' as const, subsetSize: 0, idBatchSize: 4, outlierBatchSize: 4 };

describe('resumeProblems', () => {
  it('blocks while the data or the outliers an outlier method needs are missing', () => {
    const d = tinyData();
    expect(resumeProblems({ config: cfg }, null).blocking[0]).toMatch(
      /ID training and test split are not loaded/,
    );
    const noOutliers = { ...d, outliers: null };
    expect(resumeProblems({ config: cfg }, noOutliers).blocking).toEqual([
      'OE needs the training outliers, which are not ready yet: wait until the Data panel has generated (or restored) them.',
    ]);
    // CE needs none.
    expect(resumeProblems({ config: { ...cfg, method: 'CE' } }, noOutliers).blocking).toEqual([]);
    expect(resumeProblems({ config: { ...cfg, idBatchSize: 64 } }, d).blocking[0]).toMatch(
      /training set \(16 images\) is smaller than the ID batch \(64\)/,
    );
  });

  it('warns (does not block) when the loaded data is not what the checkpoint trained on', () => {
    const d = tinyData();
    const same = resumeProblems({ config: cfg, data: fingerprintData(d) }, tinyData());
    expect(same).toEqual({ blocking: [], warnings: [] });
    const other = tinyData();
    other.outliers = { ...other.outliers!, images: other.outliers!.images.slice() };
    other.outliers.images[0] ^= 1; // one pixel differs
    const r = resumeProblems({ config: cfg, data: fingerprintData(d) }, other);
    expect(r.blocking).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/training outliers differ/);
  });

  it('the checksum changes with any sampled pixel and with the count', () => {
    const s = tinyData().train;
    const a = pixelChecksum(s);
    expect(pixelChecksum({ ...s, images: s.images.slice() })).toBe(a);
    const changed = s.images.slice();
    changed[changed.length - 1] ^= 0xff;
    expect(pixelChecksum({ ...s, images: changed })).not.toBe(a);
    expect(pixelChecksum({ ...s, n: s.n - 1 })).not.toBe(a);
  });
});
