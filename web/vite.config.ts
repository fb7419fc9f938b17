import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The C++ server serves dist/ at `/`: hashed assets under /assets are cached for a long
// time, index.html never. `npm run dev` and `vite preview` proxy /api to a local `rapport serve` ($RAPPORT_API).
const api = { '/api': process.env.RAPPORT_API ?? 'http://127.0.0.1:8080' };

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: { port: 5173, proxy: api },
  // The server's policy (docs/security.md), so `vite preview` shows CSP violations too.
  preview: {
    port: 4173,
    proxy: api,
    headers: {
      'Content-Security-Policy':
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
  },
});
