FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY emulator ./emulator
RUN pip install --no-cache-dir . && useradd --system emulator

USER emulator
# Loopback is the default everywhere else; inside a container the port must be reachable.
ENV IMAGES_EMULATOR_HOST=0.0.0.0 \
    IMAGES_EMULATOR_PORT=8000
EXPOSE 8000
CMD ["openai-images-emulator"]
