import { useEffect, useState } from 'react';

/** The page's areas, in page order (their Panel ids). */
export const AREAS = [
  { id: 'toy', label: 'Toy' },
  { id: 'data', label: 'Data' },
  { id: 'training', label: 'Training' },
  { id: 'analyses', label: 'Analyses' },
  { id: 'experiments', label: 'Experiments' },
] as const;

/**
 * A sticky index of the areas: one click (or Tab + Enter) jumps to an area, the link of the area in view is
 * marked, and the URL's hash follows (#experiments), so a reload or a shared link lands in the same place.
 */
export function AreaNav() {
  const [current, setCurrent] = useState<string>(() => location.hash.slice(1) || AREAS[0].id);
  useEffect(() => {
    const hash = location.hash.slice(1);
    if (hash) document.getElementById(hash)?.scrollIntoView();
    const visible = new Map<string, number>();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries) visible.set(e.target.id, e.isIntersecting ? e.intersectionRatio : 0);
        // The first area (in page order) that is substantially in view.
        const best =
          AREAS.find((a) => (visible.get(a.id) ?? 0) > 0.15) ??
          AREAS.find((a) => (visible.get(a.id) ?? 0) > 0);
        if (best) {
          setCurrent(best.id);
          if (location.hash !== `#${best.id}`)
            history.replaceState(null, '', `${location.pathname}${location.search}#${best.id}`);
        }
      },
      { threshold: [0, 0.15, 0.5] },
    );
    for (const a of AREAS) {
      const el = document.getElementById(a.id);
      if (el) observer.observe(el);
    }
    return () => observer.disconnect();
  }, []);
  return (
    <nav className="app-nav" aria-label="Areas">
      {AREAS.map((a) => (
        <a key={a.id} href={`#${a.id}`} aria-current={current === a.id} onClick={() => setCurrent(a.id)}>
          {a.label}
        </a>
      ))}
    </nav>
  );
}
