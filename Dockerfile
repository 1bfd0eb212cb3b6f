# The kube-patrol image: `make image` (docker build -t kube-patrol:dev .). One image for both jobs: its
# command defaults to `operator` (the Deployment passes `operator --config ...`), and any other CLI command
# replaces it: `docker run --rm -v "$PWD:/work" -w /work kube-patrol:dev scan deploy/ -o sarif` (docs/ci.md).
# Three stages: `build` compiles TypeScript with every dependency, `deps` installs only the production
# dependencies, and the runtime stage is distroless Node.js 24 (no shell, no package manager) holding
# just what the operator reads at run time. test/unit/dockerfile.test.ts checks this shape, and
# test/integration/image-entrypoint.test.ts runs the final stage's ENTRYPOINT against a real API server.
#
# The bases are build arguments so that the image can be built where no registry is reachable:
# hack/image/build.sh (`make image-offline`) builds stand-ins for both from Debian packages and Node 24 and
# passes them with --build-arg (docs/image.md). The defaults are the release bases.
ARG BUILD_BASE=node:24-trixie-slim
ARG RUNTIME_BASE=gcr.io/distroless/nodejs24-debian13:nonroot

FROM ${BUILD_BASE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${BUILD_BASE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM ${RUNTIME_BASE}
WORKDIR /app
ENV NODE_ENV=production
# projectRoot() walks up from dist/src to package.json (the version) and reads templates/ (the HTML report).
COPY package.json ./
COPY templates ./templates
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
# distroless's nonroot user, numeric so that the kubelet can check runAsNonRoot without /etc/passwd.
USER 65532:65532
EXPOSE 8080
# Exec form: node is PID 1 and gets SIGTERM itself (the operator finishes or abandons its scan and exits).
# The script's path is absolute so that `-w /work` (SARIF paths relative to the scanned repository) works.
# CMD is the subcommand: the Deployment's args (`operator --config ...`) and `docker run IMAGE scan ...`
# replace it.
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/src/cli/main.js"]
CMD ["operator"]
