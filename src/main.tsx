import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import './app/styles.css';
import { startWorker } from './app/workerClient';
import { installExperimentsApi } from './app/experiments/scriptingApi';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
installExperimentsApi();
void startWorker();
