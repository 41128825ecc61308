# pip on Alpine refuses manylinux wheels, so they are forced with
# --platform: the wheel lab's Error relocating and segfault cells.
# Triggers BL003.
FROM python:3.11-alpine
COPY requirements.txt /
RUN pip install --no-cache-dir --platform manylinux2014_x86_64 --only-binary=:all: \
      --target /usr/local/lib/python3.11/site-packages -r /requirements.txt
COPY app.py /app/app.py
USER 10001:10001
CMD ["python3", "/app/app.py"]
