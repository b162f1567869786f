import type { ReactNode } from 'react';

/** A titled section of the page. */
export function Panel(props: { id: string; title: string; children: ReactNode }) {
  return (
    <section
      className="panel"
      id={props.id}
      aria-labelledby={`${props.id}-title`}
      data-testid={`panel-${props.id}`}
    >
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      {props.children}
    </section>
  );
}
