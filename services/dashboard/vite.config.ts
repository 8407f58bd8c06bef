/**
 * Builds the dashboard into dist/, which the API serves at `/` (LATHE_DASHBOARD_DIR).
 * `base: './'` keeps asset URLs relative, so the same build works under a path prefix.
 * `vite dev` proxies the API's paths to LATHE_API_URL (default http://127.0.0.1:8080), so the
 * page and the API share an origin in development too.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const apiUrl = process.env.LATHE_API_URL ?? 'http://127.0.0.1:8080';
const apiPaths = [
  '/experiments',
  '/runs',
  '/schedules',
  '/models',
  '/model-versions',
  '/evaluations',
  '/deployments',
  '/datasets',
  '/dataset-versions',
  '/ab-tests',
  '/queues',
  '/openapi.json',
  '/healthz',
];

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: Object.fromEntries(apiPaths.map((path) => [path, { target: apiUrl, changeOrigin: true }])),
  },
});
