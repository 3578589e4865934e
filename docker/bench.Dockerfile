# The netmodels harness: netbench alone. make bench-all runs it with
# --network container:<server> (loopback, no docker-proxy), the host user's
# uid so that results belong to them, and the host's cgroup hierarchy
# mounted read-only to sample the server's container.
FROM scratch
ARG GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="netmodels-bench" \
      org.opencontainers.image.source="netmodels" \
      org.opencontainers.image.revision="${GIT_COMMIT}"
COPY netbench /
USER 65534:65534
ENTRYPOINT ["/netbench"]
