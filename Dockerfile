# telesra and its web worker in one image:
#   docker build -t telesra .
#   docker run --rm -v "$PWD:/work" -w /work telesra scan --targets-file targets.txt -f sarif -o telesra.sarif
# The worker runs nuclei in a network namespace of its own where the kernel allows it; in a
# container without that privilege it shares the container's network, and telesra says so.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/telesra ./cmd/telesra && \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/telesra-web ./cmd/telesra-web

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/telesra /out/telesra-web /usr/local/bin/
USER nonroot
ENTRYPOINT ["/usr/local/bin/telesra"]
