import { defineConfig } from 'drizzle-kit';

// Tables live beside their modules; drizzle-kit finds them by glob so db/ never imports a module.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/modules/*/*.table.ts', './src/modules/*/*/*.table.ts', './src/events/*.table.ts'],
  out: './drizzle',
});
