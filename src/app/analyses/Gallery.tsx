import { useEffect, useRef } from 'react';
import type { GalleryTile } from '../../train/analyses/outlierEnergy';
import { useAnalysesStore } from './store';
import type { CardText } from './Card';

function Tile(props: { tile: GalleryTile }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const t = props.tile;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(t.width, t.height);
    for (let p = 0; p < t.width * t.height; p++) {
      img.data[4 * p] = t.rgb[3 * p];
      img.data[4 * p + 1] = t.rgb[3 * p + 1];
      img.data[4 * p + 2] = t.rgb[3 * p + 2];
      img.data[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [t]);
  return (
    <figure className="an-tile">
      <canvas
        ref={ref}
        width={t.width}
        height={t.height}
        aria-label={`outlier ${t.index + 1} at ε ${t.epsilon}`}
      />
      <figcaption>E = {t.energy.toFixed(2)}</figcaption>
    </figure>
  );
}

/** The Analyses card of this view: its heading and the paper's claim it lets a user check. */
export const GALLERY_CARD: CardText = {
  id: 'gallery',
  title: 'Outlier gallery (Fig. 2)',
  claim: 'Perturbed outliers still do not look like ID images, yet the model scores them as more ID.',
};

/** Fig. 2: the same training outliers perturbed with increasing ε, each labelled with its energy. */
export function Gallery() {
  const rows = useAnalysesStore((s) => s.gallery);
  const idMean = useAnalysesStore((s) => {
    const e = s.energies?.id;
    return e ? Array.from(e).reduce((a, b) => a + b, 0) / e.length : null;
  });
  if (!rows) return null;
  return (
    <div data-testid="an-gallery">
      <p className="an-note">
        Rows: ε (pixels); columns: the same outliers. At small ε they barely change to the eye; from ε = 0.25
        the step shows as coloured noise — still nothing like a CIFAR-10 image — while the energy mostly falls
        towards the ID mean{idMean !== null ? ` (${idMean.toFixed(2)})` : ''}: the model rates them more
        in-distribution. Pixels are clipped to [0, 1] for display only.
      </p>
      <div className="an-gallery">
        {rows.map((row) => (
          <div key={row[0]?.epsilon} className="an-gallery-row">
            <span className="an-gallery-eps">ε = {row[0]?.epsilon}</span>
            {row.map((t) => (
              <Tile key={t.index} tile={t} />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
