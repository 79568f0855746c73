export { loadKubeConfig } from './config.ts';
export { apiStatus, isNotFound } from './errors.ts';
