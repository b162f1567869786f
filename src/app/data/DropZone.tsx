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

interface DropZoneProps {
  role: DataRole;
  title: string;
  hint: string;
  accept: string;
  folder?: boolean;
  disabled: boolean;
}

/** The two pickers: the input's id suffix, its accessible name after the zone's title, and the button text. */
const PICKERS = {
  files: { suffix: 'files', name: 'choose files', button: 'Choose files…' },
  folder: { suffix: 'dir', name: 'choose a folder', button: 'Choose folder…' },
} as const;

/** A file input (multiple files, or a whole folder) shown as a button; what is chosen loads as the zone's role. */
function FilePicker(props: { kind: keyof typeof PICKERS; idBase: string; zone: DropZoneProps }) {
  const { zone } = props;
  const picker = PICKERS[props.kind];
  const id = `${props.idBase}-${picker.suffix}`;
  return (
    <>
      <input
        id={id}
        type="file"
        multiple
        accept={props.kind === 'files' ? zone.accept : undefined}
        disabled={zone.disabled}
        aria-label={`${zone.title}: ${picker.name}`}
        {...(props.kind === 'folder' && { webkitdirectory: '' })}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          void loadDataFiles(files, zone.role);
        }}
      />
      <label htmlFor={id} className="file-button">
        {picker.button}
      </label>
    </>
  );
}

/** A drop target with a file picker (and a folder picker for image sets) for one role. */
export function DropZone(props: DropZoneProps) {
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
        <FilePicker kind="files" idBase={id} zone={props} />
        {props.folder && <FilePicker kind="folder" idBase={id} zone={props} />}
      </span>
    </div>
  );
}
