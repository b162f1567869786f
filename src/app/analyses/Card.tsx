import type { ReactNode } from 'react';

/** A card's heading and the one-sentence claim of the paper it lets a user check; `id` names its elements. */
export interface CardText {
  id: string;
  title: string;
  claim: string;
}

/** One analysis of the Analyses area: heading, claim, then the view. */
export function Card(props: CardText & { children: ReactNode }) {
  return (
    <section className="an-card" aria-labelledby={`${props.id}-title`} data-testid={`an-card-${props.id}`}>
      <h3 id={`${props.id}-title`}>{props.title}</h3>
      <p className="an-claim">{props.claim}</p>
      {props.children}
    </section>
  );
}
