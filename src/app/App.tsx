import { BackendBadge } from './BackendBadge';
import { Panel } from './Panel';
import { TrainingPanel } from './training/TrainingPanel';
import { DataPanel } from './data/DataPanel';
import { ToyPanel } from './toy/ToyPanel';
import { AnalysesPanel } from './analyses/AnalysesPanel';

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <div>
          <h1>AOE Playground</h1>
          <p className="tagline">
            Adversarial Outlier Exposure: push training outliers one signed step down the energy gradient, and
            watch the OOD boundary tighten.
          </p>
        </div>
        <BackendBadge />
      </header>
      <main className="panels">
        <Panel id="toy" title="2-D energy landscape">
          <ToyPanel />
        </Panel>
        <Panel id="data" title="Data">
          <DataPanel />
        </Panel>
        <TrainingPanel />
        <AnalysesPanel />
      </main>
    </div>
  );
}
