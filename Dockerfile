# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# Runtime stage: production dependencies only, non-root.
FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="meshrr" \
      org.opencontainers.image.description="Hierarchical BGP route-reflector mesh for Kubernetes" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /opt/meshrr
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY templates ./templates
USER node
ENTRYPOINT ["node", "/opt/meshrr/dist/cli/main.js"]
