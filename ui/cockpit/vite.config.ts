import { defineConfig } from "vite";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname);

// Two pages, one per cockpit window. No framework: see README ("UI").
export default defineConfig({
  root,
  base: "./",
  clearScreen: false,
  build: {
    outDir: resolve(root, "dist"),
    emptyOutDir: true,
    target: "safari15",
    rollupOptions: {
      input: {
        gesprek: resolve(root, "gesprek.html"),
        dossier: resolve(root, "dossier.html"),
      },
    },
  },
});
