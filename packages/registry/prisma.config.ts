// Prisma 7 reads the connection URL from here. `env()` would throw when DATABASE_URL is unset,
// even for `prisma generate`, so fall back to a placeholder that generation never dials.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: '../../prisma/schema.prisma',
  migrations: { path: '../../prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://lathe@127.0.0.1:5432/lathe' },
});
