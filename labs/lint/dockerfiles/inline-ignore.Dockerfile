# Inline ignores: a "# baselab-ignore:" comment right above an instruction
# (above FROM for what concerns the whole stage) silences those rules there.
# baselab-ignore: BL011
FROM debian:bookworm-slim
# baselab-ignore: BL012, BL005
RUN apt-get update && apt-get install -y gcc
CMD ["gcc", "--version"]
