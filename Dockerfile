# A patch release of the slim Debian image: rebuilds get the same Python.
FROM python:3.11.11-slim-bookworm

WORKDIR /app
COPY pyproject.toml README.md ./
COPY emulator ./emulator
RUN pip install --no-cache-dir . && useradd --system emulator

USER emulator
# Loopback is the default everywhere else; inside a container the port must be reachable.
ENV IMAGES_EMULATOR_HOST=0.0.0.0 \
    IMAGES_EMULATOR_PORT=8000
EXPOSE 8000
# The control plane's health route; the slim image has no curl, Python asks instead.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/_emulator/health', timeout=2).status != 200)"]
CMD ["openai-images-emulator"]
