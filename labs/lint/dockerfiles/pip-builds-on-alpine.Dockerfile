# No musllinux wheel, so pip compiles on Alpine; the compiler is installed
# in its own RUN and stays. Triggers BL004 (and BL005).
FROM python:3.11-alpine
RUN apk add --no-cache build-base=0.5-r3 libffi-dev=3.4.6-r0
COPY requirements.txt /
RUN pip install --no-cache-dir -r /requirements.txt
COPY app.py /app/app.py
USER 10001:10001
CMD ["python3", "/app/app.py"]
