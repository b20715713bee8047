# rampart's image: the CLI on Node 20, compiled, production dependencies only.
#   docker build -t rampart:0.1.0 .
#   docker run --rm -v "$PWD/scenarios:/scenarios:ro" rampart:0.1.0 run /scenarios/smoke.yaml --target http://host:8080
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies first (cached layer); the build script runs below, once the sources are in.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY mocks ./mocks
COPY scripts ./scripts
COPY bench ./bench
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY scenarios ./scenarios
RUN ln -s /app/bin/rampart.js /usr/local/bin/rampart
USER node
ENTRYPOINT ["node", "/app/bin/rampart.js"]
CMD ["--help"]
