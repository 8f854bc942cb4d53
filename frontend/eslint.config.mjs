import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { FlatCompat } from "@eslint/eslintrc";

const compat = new FlatCompat({ baseDirectory: dirname(fileURLToPath(import.meta.url)) });

const config = [
  { ignores: [".next/**", "node_modules/**", "src/api/*schema.d.ts", "next-env.d.ts", "playwright-report/**", "test-results/**", ".unit-tests/**"] },
  ...compat.extends("next/core-web-vitals", "next/typescript"),
  {
    files: ["src/api/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "error" },
  },
  {
    // The CMS serves images at their final sizes with a srcset (renditions): next/image's optimiser is not needed.
    rules: { "@next/next/no-img-element": "off" },
  },
];

export default config;
