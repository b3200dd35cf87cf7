# staging-emulator: every vendor API on one port. Build: docker build -t staging-emulator .
#   docker run -p 8080:8080 -v staging-emulator-data:/data staging-emulator
# Every setting is a STAGING_EMULATOR_* variable (see `staging-emulator --help`).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY emulator ./emulator
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
LABEL org.opencontainers.image.title="staging-emulator" \
      org.opencontainers.image.description="Local emulator of AI virtual-staging vendor APIs"
COPY --from=build /install /usr/local
COPY fixtures /opt/staging-emulator/fixtures
RUN useradd --create-home --uid 10001 emulator \
    && mkdir -p /data && chown emulator:emulator /data
USER emulator
WORKDIR /data
ENV PYTHONUNBUFFERED=1 \
    STAGING_EMULATOR_HOST=0.0.0.0 \
    STAGING_EMULATOR_PORT=8080 \
    STAGING_EMULATOR_STORE=/data/state.db
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"STAGING_EMULATOR_PORT\", \"8080\")}/_emulator/health', timeout=2)" || exit 1
ENTRYPOINT ["staging-emulator"]
CMD ["serve"]
