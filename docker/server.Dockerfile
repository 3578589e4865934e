# The netmodels server: netserver and netchild (the fork model's child),
# static binaries built by `make images`, nothing else. No base image is
# pulled. The fork and prefork models re-execute binaries in this image.
FROM scratch
ARG GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="netmodels-server" \
      org.opencontainers.image.source="netmodels" \
      org.opencontainers.image.revision="${GIT_COMMIT}"
COPY netserver netchild /
USER 65534:65534
EXPOSE 8080
ENTRYPOINT ["/netserver", "-addr", "0.0.0.0:8080"]
CMD ["-model", "goroutine"]
