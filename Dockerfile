# syntax=docker/dockerfile:1
# meshrr: one image for every mode (`meshrr pod`, `meshrr rr`, `meshrr render`, ...).
# docs/kubernetes.md explains the choices; test/manifests/dockerfile.test.ts checks them and
# runs this image's command line outside a container.
#
#   docker build -t meshrr:0.1.0 .
#
# Port 179: the image gives the node binary the file capability cap_net_bind_service, so the
# non-root user can bind port 179 when the container's bounding set holds NET_BIND_SERVICE
# (manifests: drop ALL, add NET_BIND_SERVICE). A pod that drops NET_BIND_SERVICE too cannot
# start node at all (the kernel refuses to exec a binary whose file capability it cannot grant).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript with the dev dependencies, and the native addons ---------
# The N-API addons (native/: TCP-MD5 and GTSM, docs/security.md; huge pages for the RIB's
# large arrays, docs/pod.md) are built against the headers the node image ships
# (/usr/local/include/node): no download.
FROM ${NODE_IMAGE} AS build
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY binding.gyp ./
COPY native ./native
RUN npm_config_nodedir=/usr/local npx node-gyp rebuild
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# ---- deps: production dependencies only -----------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /opt/meshrr
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force

# ---- runtime ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="meshrr" \
      org.opencontainers.image.description="Hierarchical BGP route-reflector mesh for Kubernetes (in-process TypeScript BGP speaker)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/meshrr/meshrr"
# tini is PID 1: it forwards SIGTERM to node (meshrr then sends Cease to every peer) and
# reaps zombies. setcap lets the non-root user bind port 179 (see the top of this file).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini libcap2-bin \
 && setcap cap_net_bind_service=+ep /usr/local/bin/node \
 && apt-get purge -y --auto-remove libcap2-bin \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/meshrr
ENV NODE_ENV=production \
    MESHRR_CONF=/opt/meshrr/conf/meshrr.conf.yml \
    MESHRR_TEMPLATE=/opt/meshrr/conf/meshrr.conf.njk
COPY --from=deps /opt/meshrr/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/build/Release/meshrr_sockopt.node /src/build/Release/meshrr_memory.node ./build/Release/
COPY package.json ./
COPY templates ./templates
# Read-only root filesystem: meshrr writes nothing; ConfigMaps are mounted at /opt/meshrr/conf.
# uid 1000 is the image's `node` user; numeric so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 179/tcp 8081/tcp
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/opt/meshrr/dist/cli/main.js"]
CMD ["pod"]
