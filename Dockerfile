# preflight container image (docs/install.md, "Build and publish the image").
#
#   docker build -t registry.example.com/preflight:0.1.0 .
#
# Stage 1 builds with the repository's own scripts on Debian bookworm; stage 2 is
# debian:bookworm-slim with only the shared libraries the binary links against. The runtime
# keeps /bin/sleep (coreutils): the Deployment's preStop hook runs `/bin/sleep 5`.

FROM debian:bookworm AS build
WORKDIR /src
COPY . .
# setup-deps installs the Debian build packages (it runs as root here, so no sudo is needed).
# safe.directory: the build context is owned by another uid; CMake reads the git commit for
# `preflight version` and preflight_build_info (without .git it reports "unknown").
RUN scripts/setup-deps \
 && git config --global --add safe.directory /src \
 && BUILD_DIR=/src/build-image BUILD_TYPE=Release scripts/build --target preflight \
 && install -m 0755 /src/build-image/preflight /usr/local/bin/preflight

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libcpp-httplib0.11 libssl3 libyaml-cpp0.7 libspdlog1.10 libfmt9 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/preflight /usr/local/bin/preflight
# Non-root (the manifests also set runAsUser 65532 and runAsNonRoot).
USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["/usr/local/bin/preflight"]
CMD ["serve", "--tls-cert", "/certs/tls.crt", "--tls-key", "/certs/tls.key", \
     "--listen", "0.0.0.0:8443", "--metrics-listen", "0.0.0.0:9090", \
     "--config", "/etc/preflight/policy.yaml"]
