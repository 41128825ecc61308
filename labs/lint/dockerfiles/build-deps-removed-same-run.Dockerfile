# The compiler is installed, used and removed in one RUN: it never reaches
# a layer. No BL004, no BL005.
FROM python:3.11-alpine
COPY requirements.txt /
RUN apk add --no-cache --virtual .build-deps build-base=0.5-r3 libffi-dev=3.4.6-r0 \
 && pip install --no-cache-dir -r /requirements.txt \
 && apk del .build-deps
COPY app.py /app/app.py
USER 10001:10001
CMD ["python3", "/app/app.py"]
