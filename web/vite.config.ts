/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server proxies the API to a running `heraut serve` (HERAUT_DEV_API, default the
// server's default address), so the browser sees one origin as it does in production.
const api = process.env.HERAUT_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/feeds': { target: api, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    // No inline assets: the server's CSP allows images from 'self' and data:, scripts and
    // styles from 'self' only.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
