import { defineConfig } from "vite";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname);

// Three pages, one per cockpit window (the enrolment window before the other two). No framework: see README ("UI").
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
        aanmelden: resolve(root, "aanmelden.html"),
      },
    },
  },
});
