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
 * The area at the top of the view: the last one (in page order) whose top edge is above the line just under the
 * sticky index; at the very bottom of the page, the last area that is visible at all (it may be too short to
 * reach the top).
 */
function areaInView(): string | null {
  const line = 120;
  const present = AREAS.map((a) => ({ id: a.id, el: document.getElementById(a.id) })).filter((a) => a.el);
  const atBottom = scrollY + innerHeight >= document.documentElement.scrollHeight - 2;
  if (atBottom) {
    const last = [...present].reverse().find((a) => a.el!.getBoundingClientRect().top < innerHeight);
    if (last) return last.id;
  }
  let best: string | null = present[0]?.id ?? null;
  for (const a of present) if (a.el!.getBoundingClientRect().top <= line) best = a.id;
  return best;
}

/**
 * A sticky index of the areas: one click (or Tab + Enter) jumps to an area, the link of the area in view is
 * marked, and the URL's hash follows (#experiments), so a reload or a shared link lands in the same place.
 */
export function AreaNav() {
  const [current, setCurrent] = useState<string>(() => location.hash.slice(1) || AREAS[0].id);
  useEffect(() => {
    const hash = location.hash.slice(1);
    if (hash) document.getElementById(hash)?.scrollIntoView();
    let frame = 0;
    const update = () => {
      frame = 0;
      const id = areaInView();
      if (!id) return;
      setCurrent(id);
      if (location.hash !== `#${id}`)
        history.replaceState(null, '', `${location.pathname}${location.search}#${id}`);
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(update);
    };
    addEventListener('scroll', onScroll, { passive: true });
    addEventListener('resize', onScroll);
    return () => {
      removeEventListener('scroll', onScroll);
      removeEventListener('resize', onScroll);
      if (frame) cancelAnimationFrame(frame);
    };
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
