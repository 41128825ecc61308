# The fix on Alpine: wheels built from the sdists in a musl build stage,
# installed without a compiler in the final one. No BL003, BL004, BL005.
FROM python:3.11-alpine AS build
RUN apk add --no-cache build-base=0.5-r3 libffi-dev=3.4.6-r0
COPY requirements.txt /
RUN pip wheel --no-cache-dir -w /wheels -r /requirements.txt

FROM python:3.11-alpine
COPY --from=build /wheels /wheels
COPY requirements.txt /
RUN pip install --no-cache-dir --no-index --find-links /wheels -r /requirements.txt && rm -rf /wheels
COPY app.py /app/app.py
USER 10001:10001
CMD ["python3", "/app/app.py"]
