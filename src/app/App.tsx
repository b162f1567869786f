import { BackendBadge } from './BackendBadge';
import { Panel } from './Panel';
import { TrainingPanel } from './training/TrainingPanel';
import { DataPanel } from './data/DataPanel';
import { ToyPanel } from './toy/ToyPanel';
import { AnalysesPanel } from './analyses/AnalysesPanel';
import { AreaNav } from './AreaNav';
import { ExperimentsArea } from './experiments/ExperimentsArea';
import './experiments/experiments.css';

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
      <AreaNav />
      <main className="panels">
        <Panel id="toy" title="2-D energy landscape">
          <ToyPanel />
        </Panel>
        <Panel id="data" title="Data">
          <DataPanel />
        </Panel>
        <TrainingPanel />
        <AnalysesPanel />
        <Panel id="experiments" title="Experiments: the paper's tables and figures">
          <ExperimentsArea />
        </Panel>
      </main>
    </div>
  );
}
