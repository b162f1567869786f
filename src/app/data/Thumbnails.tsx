import { useEffect, useRef } from 'react';
import type { Thumbs } from '../../worker/data/types';

/** A strip of 32×32 images (uint8 NHWC) drawn to one canvas and scaled up pixelated. */
export function Thumbnails(props: {
  thumbs: Thumbs | undefined | null;
  label: string;
  classNames?: string[];
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { thumbs } = props;
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !thumbs || thumbs.n === 0) return;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(32 * thumbs.n + 2 * (thumbs.n - 1), 32);
    for (let i = 0; i < thumbs.n; i++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++) {
          const s = ((i * 32 + y) * 32 + x) * 3;
          const d = (y * img.width + i * 34 + x) * 4;
          img.data[d] = thumbs.images[s];
          img.data[d + 1] = thumbs.images[s + 1];
          img.data[d + 2] = thumbs.images[s + 2];
          img.data[d + 3] = 255;
        }
    canvas.width = img.width;
    canvas.height = 32;
    ctx.putImageData(img, 0, 0);
  }, [thumbs]);
  if (!thumbs || thumbs.n === 0) return <p className="muted">No images.</p>;
  const captions =
    thumbs.labels && props.classNames ? thumbs.labels.map((l) => props.classNames![l] ?? l) : null;
  return (
    <figure className="thumbs">
      <canvas
        ref={ref}
        role="img"
        aria-label={props.label}
        style={{ width: `${(32 * thumbs.n + 2 * (thumbs.n - 1)) * 2}px` }}
      />
      {captions && (
        <figcaption className="thumb-captions">
          {captions.map((c, i) => (
            <span key={i}>{c}</span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}
