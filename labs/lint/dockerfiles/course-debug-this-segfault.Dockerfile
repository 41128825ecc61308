# The course's "Debug this" Dockerfile, in our words: python:3.11 moved to
# python:3.11-alpine, then random segfaults. The course blames pip for
# installing manylinux wheels on Alpine; the wheel lab measured that pip on
# musl refuses them ("No matching distribution found") and picks musllinux
# wheels or builds the sdist. Nothing here copies a glibc build onto musl,
# so baselab lint does not flag BL003: the segfault needs a glibc wheel
# copied in (site-packages-from-slim.Dockerfile) or forced with --platform
# (pip-platform-manylinux.Dockerfile). Findings: BL002, BL011.
FROM python:3.11-alpine
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python3", "app.py"]
