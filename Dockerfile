# The gameday image: the installed package, k6 and Toxiproxy — for CI jobs and the Argo Rollouts
# analysis Job (deploy/argo/). Nothing is fetched while it builds: the package is installed first,
# with npm, into image/ of the build context (Linux x64, the image's platform):
#
#   npm pack                                                     # gameday-<version>.tgz
#   npm install --global --prefix image --omit=dev ./gameday-*.tgz   # or: gameday@<version>
#   npm run bootstrap                                            # .tools/bin/k6, .tools/bin/toxiproxy-server (static)
#   docker build -t gameday:0.1.0 .
#
# BASE_IMAGE: any image with Node.js 20+ at /usr/local/bin/node and /usr/bin/env.
ARG BASE_IMAGE=node:20-bookworm-slim
FROM ${BASE_IMAGE}
# the two pinned tools first: this layer stays cached until their versions change
COPY .tools/bin/k6 .tools/bin/toxiproxy-server /usr/local/bin/
COPY image/lib/node_modules/gameday/ /usr/local/lib/node_modules/gameday/
# npm's bin link (relative: ../lib/node_modules/gameday/bin/gameday.mjs), kept as a link
COPY image/bin/ /usr/local/bin/
ENV K6_BIN=/usr/local/bin/k6 TOXIPROXY_BIN=/usr/local/bin/toxiproxy-server
WORKDIR /work
ENTRYPOINT ["gameday"]
CMD ["--help"]
