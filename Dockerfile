# rdpsweep in a container, for nightly runs from cron:
#   docker build -t rdpsweep .
#   mkdir -p reports && sudo chown 10001:10001 reports
#   docker run --rm -v "$PWD/reports:/data" rdpsweep scan -i /data/fleet.txt -o /data/$(date +%F)
# The image runs as uid 10001 (user rdpsweep), so a host directory mounted at /data must be
# writable by that uid: `chown 10001:10001 DIR`, or run as the directory's owner with
# `docker run --user "$(id -u):$(id -g)" ...`. Otherwise the scan exits 1 naming the file it
# cannot create.
# `docker stop` sends SIGTERM: the scan stops starting probes, gives those in flight half of
# --stop-grace (8 s, under docker stop's 10 s), keeps every finished row, writes the reports
# marked partial and exits 143; `rdpsweep scan --resume DIR` finishes the scan later.

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY scanner scanner
COPY reports reports
COPY tests tests
RUN cargo build --release --locked --bin rdpsweep

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data rdpsweep \
    && mkdir -p /data && chown rdpsweep /data
COPY --from=build /src/target/release/rdpsweep /usr/local/bin/rdpsweep
COPY configs /etc/rdpsweep
USER rdpsweep
WORKDIR /data
ENTRYPOINT ["rdpsweep"]
CMD ["--help"]
