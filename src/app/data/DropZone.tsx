import { useId, useState, type DragEvent } from 'react';
import type { DataRole } from '../../worker/data/types';
import { loadDataFiles } from './dataActions';

/** Reads every file of a dropped folder (webkitGetAsEntry), keeping relative paths in `webkitRelativePath` order. */
async function filesFromDrop(e: DragEvent): Promise<File[]> {
  const items = [...e.dataTransfer.items];
  const entries = items.map((i) => i.webkitGetAsEntry?.()).filter((x): x is FileSystemEntry => !!x);
  if (entries.length === 0 || entries.every((en) => en.isFile)) return [...e.dataTransfer.files];
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry, path: string): Promise<void> => {
    if (entry.isFile) {
      const f = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.push(new File([f], `${path}${f.name}`, { type: f.type }));
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (batch.length === 0) break;
        for (const b of batch) await walk(b, `${path}${entry.name}/`);
      }
    }
  };
  for (const en of entries) await walk(en, '');
  return out;
}

/** A drop target with a file picker (and a folder picker for image sets) for one role. */
export function DropZone(props: {
  role: DataRole;
  title: string;
  hint: string;
  accept: string;
  folder?: boolean;
  disabled: boolean;
}) {
  const id = useId();
  const [over, setOver] = useState(false);
  return (
    <div
      className={`drop-zone${over ? ' over' : ''}`}
      data-testid={`drop-${props.role}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        void filesFromDrop(e).then((files) => loadDataFiles(files, props.role));
      }}
    >
      <strong>{props.title}</strong>
      <span className="muted">{props.hint}</span>
      <span className="drop-buttons">
        <input
          id={`${id}-files`}
          type="file"
          multiple
          accept={props.accept}
          disabled={props.disabled}
          aria-label={`${props.title}: choose files`}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = '';
            void loadDataFiles(files, props.role);
          }}
        />
        <label htmlFor={`${id}-files`} className="file-button">
          Choose files…
        </label>
        {props.folder && (
          <>
            <input
              id={`${id}-dir`}
              type="file"
              multiple
              disabled={props.disabled}
              aria-label={`${props.title}: choose a folder`}
              {...{ webkitdirectory: '' }}
              onChange={(e) => {
                const files = [...(e.target.files ?? [])];
                e.target.value = '';
                void loadDataFiles(files, props.role);
              }}
            />
            <label htmlFor={`${id}-dir`} className="file-button">
              Choose folder…
            </label>
          </>
        )}
      </span>
    </div>
  );
}
