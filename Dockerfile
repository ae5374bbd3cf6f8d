# syntax=docker/dockerfile:1
# Waybill API image: the TypeScript is compiled to dist/ in the build stage; the runtime stage has the
# production dependencies only and runs as the unprivileged `node` user.
#   docker build -t waybill .
#   docker run --rm -p 4000:4000 -v waybill-data:/app/.data waybill      # embedded PGlite in the volume
#   docker compose up                                                    # with PostgreSQL and Redis (compose.yaml)
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall patches a dependency (scripts/patch-dependencies.mjs): the script comes first.
COPY scripts/patch-dependencies.mjs ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/patch-dependencies.mjs ./scripts/
# tsx is a runtime dependency, so `npm run seed` / `npm run apikey` (TypeScript scripts) work in the container too.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Migrations (applied at start-up), the label fonts (read from src/), and the sources the scripts run with tsx.
COPY drizzle ./drizzle
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
# The embedded database's default directory (PGLITE_DATA_DIR=./.data), writable by the app's user.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 4000
# /readyz answers 200 once the database and the pub/sub (Redis) answer; 503 otherwise.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself is PID 1: it handles SIGTERM (graceful stop within SHUTDOWN_TIMEOUT_MS, default 8 s).
CMD ["node", "--max-semi-space-size=32", "dist/main.js"]
