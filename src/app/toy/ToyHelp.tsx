/** What the panel shows and when the effect appears (and when it does not). */
export function ToyHelp() {
  return (
    <details className="toy-help" open>
      <summary>What am I looking at?</summary>
      <p>
        A small MLP classifies 2-D points. Colour is its energy E(x) = −logsumexp f(x): bright = low energy =
        looks in-distribution. The white line is the detector&apos;s decision boundary E(x) = τ, with τ chosen
        so that 95% of the ID training points are inside. Everything inside is accepted as in-distribution, so
        a smaller <em>accepted area</em> at the same 95% ID acceptance means a tighter, better detector.
      </p>
      <p>
        Both panes train from the same seed, data, outliers and initial weights. The left one uses plain
        outlier exposure (ε = 0); the right one first moves every training outlier (×) one signed step down
        the energy gradient, x̂ = x − ε·sign(∇ₓE(x)) (AOE, red arrows), so the model is trained on outliers
        that sit where it is most confident. Drag ε and release to retrain.
      </p>
    </details>
  );
}
