# Hoshin in a container: uv-locked dependencies, WeasyPrint's system libraries, non-root user.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    HOSHIN_HOST=0.0.0.0 HOSHIN_VAR_DIR=/var/lib/hoshin

# Pango, HarfBuzz and fontconfig are what WeasyPrint needs to lay out and embed fonts in PDFs.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv

WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev \
    && useradd --system --uid 10001 --home /var/lib/hoshin hoshin \
    && mkdir -p /var/lib/hoshin && chown hoshin /var/lib/hoshin
USER hoshin
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["sh", "-c", "hoshin db upgrade && hoshin serve"]
