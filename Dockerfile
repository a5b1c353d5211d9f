# The operator image: `rk operator` on node 20 slim, non-root, nothing written to the root
# filesystem (the Deployment of `rk install` mounts it read-only, with an emptyDir on /tmp).
# Holds only what `npm pack` publishes (bin/, dist/rk/, examples/) and the production dependencies.
#   docker build -t ghcr.io/redis-kubernetes/rk:0.1.0 .
#   rk install --image ghcr.io/redis-kubernetes/rk:0.1.0

FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts skipped: `prepare` builds, and the sources are not copied yet.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && npm pack --ignore-scripts --pack-destination /tmp && mkdir /pkg \
  && tar -xzf /tmp/redis-kubernetes-*.tgz -C /pkg --strip-components=1 \
  && cp package-lock.json /pkg/

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /pkg/ ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force && rm -rf /root/.npm /tmp/*
# Numeric, so that runAsNonRoot can verify it; the files stay root-owned and read-only to it.
USER 65532:65532
EXPOSE 8081
ENTRYPOINT ["node", "/app/bin/rk.js"]
CMD ["operator", "--lease-namespace", "redis-kubernetes-system"]
