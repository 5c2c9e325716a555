# Multi-stage build: compile TypeScript, then run the compiled app on a slim Node image.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Exactly the lock file: the build fails loudly when package.json and package-lock.json disagree.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/src/dashboard/public ./src/dashboard/public
COPY package.json ./
USER node
EXPOSE 3000
# Young-generation semi-spaces of 64 MB (V8's default is 16): a burst of timer evaluations allocates short-lived
# objects fast, and small semi-spaces promote them to the old generation (see README, Timers).
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]
