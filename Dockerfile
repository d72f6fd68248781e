# syntax=docker/dockerfile:1
# The driftwatch image: one binary, `driftwatch <command>` (process, sink, produce, …).
# TypeScript runs through tsx (a runtime dependency), so there is no build step;
# the first stage only installs the production dependencies.
#
#   docker build -t driftwatch:local .
#   docker run --rm driftwatch:local --help

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# onnxruntime-node's install script downloads CUDA parts; the CPU runtime ships in the package.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY cli ./cli
COPY processor ./processor
COPY producer ./producer
COPY sink ./sink
COPY schemas ./schemas
# The image's own `node` user (uid 1000): nothing here runs as root.
USER node
# 9464: processor health + /metrics, 9465: sink health + /metrics.
EXPOSE 9464 9465
ENTRYPOINT ["node", "bin/driftwatch.mjs"]
CMD ["--help"]
