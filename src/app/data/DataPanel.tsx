import { useEffect } from 'react';
import { DropZone } from './DropZone';
import { OutlierControls } from './OutlierControls';
import { SetTable } from './SetTable';
import { Thumbnails } from './Thumbnails';
import { SizeLimitsControl } from './SizeLimitsControl';
import { cancelData, clearCache, restoreData } from './dataActions';
import { loadingText } from './loadingText';
import { useDataStore } from './dataStore';
import './data.css';
import { formatBytes } from '../../data/errors';
import type { SetSummary } from '../../worker/data/types';

let restored = false;

/** ": now 3 sets, 184.3 MB cached" — what the IndexedDB cache holds. */
function cacheNote(sets: SetSummary[]): string {
  const cached = sets.filter((s) => s.cached);
  if (!cached.length) return '';
  const bytes = cached.reduce((a, s) => a + s.bytes, 0);
  return ` (cached now: ${cached.length} set${cached.length === 1 ? '' : 's'}, ${formatBytes(bytes)})`;
}

/** The data panel: what is loaded, where from, thumbnails, loaders, and a message for every unusable file. */
export function DataPanel() {
  const { summary, messages, busy, thumbs } = useDataStore();
  useEffect(() => {
    if (restored) return;
    restored = true;
    void restoreData();
  }, []);
  const sets = summary?.sets ?? [];
  const p = busy?.progress;
  return (
    <div className="data-panel">
      <SetTable sets={sets} />
      {busy && (
        <div className="busy" role="status" data-testid="data-busy">
          <span>{loadingText(busy)}</span>
          {p && p.total > 0 && (
            <progress value={p.done} max={p.total} aria-label="progress">
              {Math.round((100 * p.done) / p.total)}%
            </progress>
          )}
          <button type="button" onClick={cancelData}>
            Cancel
          </button>
        </div>
      )}
      <div className="drop-zones">
        <DropZone
          role="id"
          title="ID data (CIFAR-10 / CIFAR-100)"
          hint="cifar-10-binary.tar.gz, cifar-100-binary.tar.gz, or the .bin batches"
          accept=".gz,.tgz,.tar,.bin,.txt"
          disabled={!!busy}
        />
        <DropZone
          role="outliers"
          title="Training outliers"
          hint="samples-<σ²>.npz (x: uint8 N×3×32×32), or a zip/folder of images (any size → 32×32)"
          accept=".npz,.zip,.bin,image/*"
          folder
          disabled={!!busy}
        />
        <DropZone
          role="ood"
          title="OOD test sets"
          hint="CIFAR-layout .bin (textures), IDX (Fashion-MNIST …-idx3-ubyte.gz), zip/folder of images"
          accept=".bin,.gz,.zip,image/*,*"
          folder
          disabled={!!busy}
        />
      </div>
      {messages.length > 0 && (
        <ul className="data-messages" aria-label="Data messages" data-testid="data-messages">
          {messages.map((m) => (
            <li key={m.id} className={`msg-${m.level}`} role={m.level === 'error' ? 'alert' : undefined}>
              <strong>{m.file}</strong>: {m.text}
            </li>
          ))}
        </ul>
      )}
      <div className="thumb-grid">
        {sets.map((s) => (
          <div key={s.key} className="thumb-set" data-testid={`thumbs-${s.key}`}>
            <h4>
              {s.name} <span className="muted">({s.n.toLocaleString('en')})</span>
            </h4>
            <Thumbnails
              thumbs={thumbs[s.key]}
              label={`First images of ${s.name}`}
              classNames={s.classNames}
            />
          </div>
        ))}
      </div>
      <OutlierControls />
      <SizeLimitsControl limits={summary?.limits ?? null} />
      <p className="muted small">
        Loaded sets and the generated training outliers are kept in this browser (IndexedDB) so the next visit
        needs no upload, download or refit{cacheNote(summary?.sets ?? [])}.{' '}
        <button type="button" onClick={() => void clearCache()}>
          Clear cache
        </button>
      </p>
    </div>
  );
}
