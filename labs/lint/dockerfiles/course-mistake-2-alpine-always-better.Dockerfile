# The course's mistake 2, in our words: moving a data-science service to
# Alpine "because it is smaller". numpy and pandas have musllinux wheels
# now, but the other native dependencies of such a service often do not,
# so a compiler goes in and the packages build from source in the image.
# Findings: BL004, BL005, BL012 (and BL002, BL011).
FROM python:3.11-alpine
RUN apk add --no-cache gcc g++ musl-dev linux-headers gfortran openblas-dev
COPY requirements.txt /
RUN pip install --no-cache-dir -r /requirements.txt
COPY . /app
CMD ["python3", "/app/main.py"]
