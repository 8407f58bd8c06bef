# syntax=docker/dockerfile:1.7
# One image for every Lathe process; its argument picks the role:
#   api | serve | ingest | train | evaluate | deploy | scoring | migrate
#   docker build -t lathe .            docker run lathe train
#   docker build --target train-gpu -t lathe-train-gpu .   (the train role on CUDA, see docs/operations.md)
# The services run their TypeScript sources through tsx's loader (the workspace has no compile
# step), so the runtime image holds the sources, production dependencies and that loader only.

ARG NODE_IMAGE=node:20.19.5-bookworm-slim
ARG PNPM_VERSION=12.4.2
ARG TSX_VERSION=4.23.15

# --- build: every dependency, the Prisma client and the dashboard's static files -----------------
FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH TURBO_TELEMETRY_DISABLED=1
RUN npm install -g pnpm@${PNPM_VERSION}
WORKDIR /src
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY packages/ packages/
COPY services/ services/
COPY test/package.json test/package.json
COPY prisma/ prisma/
RUN pnpm install --frozen-lockfile
RUN pnpm --filter @lathe/registry run generate \
 && pnpm --filter @lathe/dashboard run build

# --- prod-deps: production dependencies only, for the runtime stages ------------------------------
FROM ${NODE_IMAGE} AS prod-deps
ARG PNPM_VERSION
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install -g pnpm@${PNPM_VERSION}
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY --from=build /src/packages packages
COPY --from=build /src/services services
COPY test/package.json test/package.json
RUN find packages services -name node_modules -prune -exec rm -rf {} + \
 && pnpm install --frozen-lockfile --prod --ignore-scripts

# --- runtime: non-root, tini as PID 1 (signals reach node, zombies are reaped) ---------------------
FROM ${NODE_IMAGE} AS runtime
ARG TSX_VERSION
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g tsx@${TSX_VERSION} \
 && npm cache clean --force
WORKDIR /app
ENV NODE_ENV=production \
    LATHE_API_HOST=0.0.0.0 \
    LATHE_SERVE_HOST=0.0.0.0 \
    LATHE_ARTIFACT_DIR=/var/lib/lathe/artifacts \
    LATHE_DASHBOARD_DIR=/app/services/dashboard/dist
COPY --from=prod-deps /app ./
COPY --from=build /src/services/dashboard/dist services/dashboard/dist
COPY prisma/ prisma/
COPY infra/docker/lathe-role.sh /usr/local/bin/lathe-role
# The node image's unprivileged user (uid 1000); the artifact store is its volume.
RUN install -d -o node -g node /var/lib/lathe/artifacts
USER node
# api 8080, serve 8081, workers' /healthz and /metrics 9101-9105 (9105: scoring)
EXPOSE 8080 8081 9101 9102 9103 9104 9105
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/lathe-role"]
CMD ["api"]

# --- train-gpu: the train role on an NVIDIA GPU through @tensorflow/tfjs-node-gpu -----------------
# tfjs-node-gpu 4.22 links libtensorflow 2.9 (CUDA 11.2, cuDNN 8.1); its install script downloads
# libtensorflow, so this target builds only where that download is allowed (not on machines that
# reach the npm registry alone). LATHE_TF_BACKEND=tensorflow-gpu makes a missing GPU an error
# instead of a silent fall-back to wasm.
FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 AS train-gpu
ARG TSX_VERSION
ARG PNPM_VERSION
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl tini \
 && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \
 && apt-get install -y --no-install-recommends nodejs build-essential python3 \
 && npm install -g tsx@${TSX_VERSION} pnpm@${PNPM_VERSION} \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=prod-deps /app ./
COPY prisma/ prisma/
COPY infra/docker/lathe-role.sh /usr/local/bin/lathe-role
RUN cd packages/ml && pnpm add @tensorflow/tfjs-node-gpu@4.22.0 \
 && useradd --uid 1000 --create-home lathe \
 && install -d -o lathe -g lathe /var/lib/lathe/artifacts
ENV NODE_ENV=production LATHE_TF_BACKEND=tensorflow-gpu LATHE_ARTIFACT_DIR=/var/lib/lathe/artifacts \
    LATHE_TSX_LOADER=/usr/lib/node_modules/tsx/dist/loader.mjs
USER lathe
EXPOSE 9102
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/lathe-role"]
CMD ["train"]
