/**
 * Downloads and figure exports: a file from text or bytes, a chart's SVG made self-contained (white background,
 * title, legend drawn in — recharts' own legend is HTML), and the same SVG rasterised to PNG at 2×.
 */
import type { Series } from '../../experiments/aggregate';
import { originDash, seriesLegend, seriesStyle } from './style';

export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const downloadText = (name: string, text: string, type: string): void =>
  downloadBlob(name, new Blob([text], { type }));

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The chart's SVG (inside `container`) with a title and a legend of `series`, as standalone SVG text. */
export function figureSvg(container: HTMLElement, title: string, series: readonly Series[]): string {
  const svg = container.querySelector('svg.recharts-surface');
  if (!svg) throw new Error('The figure has not been drawn yet.');
  const w = Number(svg.getAttribute('width'));
  const h = Number(svg.getAttribute('height'));
  const legendH = 18 * series.length + 8;
  const top = 24;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('x', '0');
  clone.setAttribute('y', String(top));
  const legend = series
    .map((s, i) => {
      const st = seriesStyle(s.name);
      const y = top + h + 14 + 18 * i;
      const dash = originDash(s.origin);
      return (
        `<line x1="12" x2="40" y1="${y - 4}" y2="${y - 4}" stroke="${st.color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>` +
        `<text x="48" y="${y}" font-size="12" font-family="sans-serif" fill="#1d2330">${esc(seriesLegend(s))}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h + top + legendH}" viewBox="0 0 ${w} ${h + top + legendH}">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="12" y="17" font-size="14" font-weight="600" font-family="sans-serif" fill="#1d2330">${esc(title)}</text>` +
    new XMLSerializer().serializeToString(clone) +
    legend +
    `</svg>`
  );
}

/** Rasterise standalone SVG text to a PNG blob at `scale`×. */
export async function svgToPng(svgText: string, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('The figure could not be rasterised.'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = img.width * scale;
    canvas.height = img.height * scale;
    const ctx = canvas.getContext('2d')!;
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed.'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
